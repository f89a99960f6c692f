import { Model } from '../../../framework';

export interface FortuneRow {
  id: number;
  message: string;
}

/** A row of TechEmpower's Fortune table. */
export class Fortune extends Model<FortuneRow> {
  static override table = 'fortune';
  static override timestamps = false;
}
