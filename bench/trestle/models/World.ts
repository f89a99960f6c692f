import { Model } from '../../../framework';

export interface WorldRow {
  id: number;
  randomNumber: number;
}

/** A row of TechEmpower's World table. */
export class World extends Model<WorldRow> {
  static override table = 'world';
  static override timestamps = false;
}
