import type { FieldErrors } from '../support';
import { attributes, escapeHtml, formPlumbing, type CsrfTokenSource } from './html';

export interface FormOptions {
  /** Where the form posts. */
  action: string;
  /** `post` (default), or `patch`/`put`/`delete`, sent as a `_method` field. */
  method?: string;
  /** Per-field messages from a failed save. */
  errors?: FieldErrors;
  /** Prefix of the fields' ids (default `form`). */
  id?: string;
  csrfToken?: CsrfTokenSource;
}

interface FieldOptions {
  type?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  rows?: number;
}

/**
 * Prints a form whose fields show the record's values (or the user's input after a failed save)
 * with each field's error message next to it:
 *
 *     <% const f = formFor(user, { action: url('users.create'), errors }) %>
 *     <%- f.open() %> <%- f.text('name', 'Name') %> <%- f.submit('Save') %> <%- f.close() %>
 */
export class FormBuilder {
  private readonly values: Record<string, unknown>;
  private readonly options: FormOptions;
  private readonly prefix: string;

  constructor(values: object | undefined, options: FormOptions) {
    this.values = (values ?? {}) as Record<string, unknown>;
    this.options = options;
    this.prefix = options.id ?? 'form';
  }

  /** `<form>` with the method override and CSRF fields, and a summary when there are errors. */
  open(attrs: Record<string, unknown> = {}): string {
    const method = (this.options.method ?? 'post').toLowerCase();
    const tag = `<form${attributes({ class: 'form', method: method === 'get' ? 'get' : 'post', action: this.options.action, ...attrs })}>`;
    return tag + formPlumbing(method, this.options.csrfToken) + this.summary();
  }

  close(): string {
    return '</form>';
  }

  text(name: string, label: string, options: FieldOptions = {}): string {
    const input = `<input${attributes({
      id: this.id(name),
      name,
      type: options.type ?? 'text',
      value: this.value(name, options.type),
      required: options.required,
      autocomplete: options.autocomplete,
      placeholder: options.placeholder,
      ...this.errorAttributes(name),
    })}>`;
    return this.field(name, label, input);
  }

  /** A file field: open the form with `f.open({ enctype: 'multipart/form-data' })`; the route parses it (`{ use: [...] }`). */
  file(name: string, label: string, options: { accept?: string; required?: boolean } = {}): string {
    const input = `<input${attributes({ id: this.id(name), name, type: 'file', accept: options.accept, required: options.required, ...this.errorAttributes(name) })}>`;
    return this.field(name, label, input);
  }

  textarea(name: string, label: string, options: FieldOptions = {}): string {
    const input = `<textarea${attributes({ id: this.id(name), name, rows: options.rows ?? 6, required: options.required, ...this.errorAttributes(name) })}>${escapeHtml(this.value(name))}</textarea>`;
    return this.field(name, label, input);
  }

  /** A checkbox; the hidden field before it sends `false` when it is left unticked. */
  checkbox(name: string, label: string): string {
    // A ticked box arrives after its hidden `false` twin, as ['false', 'true']: the last value wins.
    const value = this.values[name];
    const raw = Array.isArray(value) ? value[value.length - 1] : value;
    const checked = raw === true || raw === 'true' || raw === '1' || raw === 'on';
    const input =
      `<input type="hidden" name="${escapeHtml(name)}" value="false">` +
      `<input${attributes({ id: this.id(name), name, type: 'checkbox', value: 'true', checked, ...this.errorAttributes(name) })}>`;
    return `<div class="field checkbox${this.errorsOf(name) ? ' has-error' : ''}">${input}<label for="${this.id(name)}">${escapeHtml(label)}</label>${this.message(name, label)}</div>`;
  }

  select(name: string, label: string, choices: ReadonlyArray<readonly [value: unknown, text: unknown]>, options: { prompt?: string } = {}): string {
    const current = String(this.values[name] ?? '');
    const prompt = options.prompt ? `<option value="">${escapeHtml(options.prompt)}</option>` : '';
    const items = choices.map(([value, text]) => `<option${attributes({ value: String(value), selected: String(value) === current })}>${escapeHtml(text)}</option>`).join('');
    return this.field(name, label, `<select${attributes({ id: this.id(name), name, ...this.errorAttributes(name) })}>${prompt}${items}</select>`);
  }

  submit(label: string): string {
    return `<button type="submit" class="button">${escapeHtml(label)}</button>`;
  }

  private field(name: string, label: string, control: string): string {
    return `<div class="field${this.errorsOf(name) ? ' has-error' : ''}"><label for="${this.id(name)}">${escapeHtml(label)}</label>${control}${this.message(name, label)}</div>`;
  }

  private summary(): string {
    const errors = this.options.errors ?? {};
    const count = Object.values(errors).reduce((n, messages) => n + messages.length, 0);
    if (count === 0) return '';
    const base = errors.base ? `<ul>${errors.base.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>` : '';
    return `<div class="error-summary" role="alert">Please correct ${count === 1 ? 'the error' : `${count} errors`} below.${base}</div>`;
  }

  private id(name: string): string {
    return `${this.prefix}_${name}`;
  }

  /** The field's value as its input shows it: dates as the date inputs want them, JSON as text. */
  private value(name: string, type?: string): string {
    const value = this.values[name];
    if (value === undefined || value === null) return '';
    if (value instanceof Date) {
      const iso = value.toISOString();
      return type === 'date' ? iso.slice(0, 10) : type === 'datetime-local' ? iso.slice(0, 16) : iso;
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  private errorsOf(name: string): string[] | undefined {
    const messages = this.options.errors?.[name];
    return messages && messages.length ? messages : undefined;
  }

  private errorAttributes(name: string): Record<string, unknown> {
    return this.errorsOf(name) ? { 'aria-invalid': 'true', 'aria-describedby': `${this.id(name)}_error` } : {};
  }

  /** `Title can't be blank`: the field's label, then its messages. */
  private message(name: string, label: string): string {
    const messages = this.errorsOf(name);
    return messages ? `<p class="field-error" id="${this.id(name)}_error">${escapeHtml(label)} ${escapeHtml(messages.join(', '))}</p>` : '';
  }
}
