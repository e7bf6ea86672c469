// The page's options form: the suite's options as fields, read and written through the same
// parseOptions/toQuery as the command line, so a URL query means what the same --flags mean.
// Each field is validated on its own, so every bad value shows next to its own field; a value
// from the URL that a checkbox cannot show (experiments=foo) keeps its error until that field
// is edited.

import { ACTIVATIONS, EXPERIMENTS, GLOROT_INITS, OPTION_NAMES, RESCUE_INITS, RESCUE_VARIANTS, OptionError, QUICK, FULL, isQuick, parseOptions, toQuery, type SuiteOptions } from '../suite/options.ts';

type FormValues = Record<string, string>;

type FieldName = Exclude<(typeof OPTION_NAMES)[number], 'quick'>;

interface Field { name: FieldName; label: string; hint: string; choices?: readonly string[] }

const FIELDS: Field[] = [
  { name: 'experiments', label: 'Experiments', hint: 'run in this order', choices: EXPERIMENTS },
  { name: 'activations', label: 'Activations', hint: 'of the signal sweep', choices: ACTIVATIONS },
  { name: 'depths', label: 'Depths', hint: 'hidden layers, comma-separated' },
  { name: 'scales', label: 'Scales s', hint: 'Var(w) = s / fan-in, comma-separated' },
  { name: 'width', label: 'Width', hint: 'units per hidden layer' },
  { name: 'batch', label: 'Batch', hint: 'examples per pass' },
  { name: 'steps', label: 'Training steps', hint: 'SGD steps per training run' },
  { name: 'seed', label: 'Seed', hint: 'same seed, same weights and batches' },
  { name: 'isometryDepths', label: 'Jacobian depths', hint: 'isometry: depths of the spectra' },
  { name: 'saxeDepths', label: 'Teacher depths', hint: 'saxe: depths of the deep linear nets' },
  { name: 'teacherSteps', label: 'Teacher steps', hint: 'saxe: most steps to reach the loss' },
  { name: 'glorotInits', label: 'Glorot inits', hint: 'glorot: standard U[±1/√n], normalized (Xavier)', choices: GLOROT_INITS },
  { name: 'glorotSnapshots', label: 'Glorot snapshots', hint: 'glorot: SGD steps of the histograms, 0 = init' },
  { name: 'glorotBins', label: 'Histogram bins', hint: 'glorot: bins per histogram' },
  { name: 'weightVariances', label: 'σw² grid', hint: 'chaos: weight variances × fan-in' },
  { name: 'biasVariances', label: 'σb² grid', hint: 'chaos: bias variances' },
  { name: 'trainDepths', label: 'Trainability depths', hint: 'trainability: MNIST nets' },
  { name: 'trainWeightVariances', label: 'Trainability σw²', hint: 'trainability: weight variances' },
  { name: 'trainSteps', label: 'Trainability steps', hint: 'trainability: SGD steps per net' },
  { name: 'rescueDepth', label: 'Rescue depth', hint: 'rescue: hidden layers of the ReLU nets' },
  { name: 'rescueWidth', label: 'Rescue width', hint: 'rescue: units per hidden layer' },
  { name: 'rescueBatch', label: 'Rescue batch', hint: 'rescue: examples per SGD step' },
  { name: 'rescueSteps', label: 'Rescue steps', hint: 'rescue: SGD steps per net' },
  { name: 'rescueLr', label: 'Rescue step size', hint: 'rescue: SGD learning rate (momentum 0.9)' },
  { name: 'rescueInits', label: 'Rescue inits', hint: 'rescue: bad initializations: lecun (Var = 1/n), normal (N(0,1)); He runs as the reference', choices: RESCUE_INITS },
  { name: 'rescueVariants', label: 'Rescue variants', hint: 'rescue: what each bad init is tried with', choices: RESCUE_VARIANTS },
];

/** The message without its leading '--name: ' (the field already names it). */
const shortMessage = (e: OptionError) => e.message.replace(/^--[\w-]+:\s*/, '');

export class OptionsForm {
  /** Called after any edit, once the errors are shown. */
  onChange: () => void = () => {};
  /** Errors that come from the URL and that the fields cannot show; cleared by editing. */
  private urlErrors: Partial<Record<FieldName | 'form', string>> = {};
  private readonly preset: HTMLSelectElement;
  /** The order of each checkbox group's values: the order runs happen in, as the URL gave it. */
  private readonly order: Partial<Record<FieldName, string[]>> = {};

  constructor(private readonly form: HTMLFormElement, fields: HTMLElement, private readonly formError: HTMLElement) {
    this.preset = form.querySelector<HTMLSelectElement>('#preset')!;
    fields.append(...FIELDS.map((f) => this.build(f)));
    this.preset.addEventListener('change', () => {
      this.urlErrors = {};
      this.fill(this.preset.value === 'quick' ? QUICK : FULL);
      this.changed();
    });
  }

  private build(f: Field): HTMLElement {
    const box = document.createElement(f.choices ? 'fieldset' : 'div');
    box.className = 'field';
    box.id = `field-${f.name}`;
    const error = `<p class="error" id="error-${f.name}" aria-live="polite"></p>`;
    const hint = `<span class="hint" id="hint-${f.name}">${f.hint}</span>`;
    if (f.choices) {
      box.innerHTML = `<legend>${f.label}</legend>${hint}<div class="choices">` + f.choices.map((c) =>
        `<label><input type="checkbox" name="${f.name}" value="${c}" id="opt-${f.name}-${c}"> ${c}</label>`).join('') + `</div>${error}`;
    } else {
      box.innerHTML = `<label for="opt-${f.name}">${f.label}</label>${hint}` +
        `<input type="text" id="opt-${f.name}" name="${f.name}" autocomplete="off" spellcheck="false" ` +
        `inputmode="${/^(width|batch|steps|seed|teacherSteps|trainSteps|glorotBins|rescueDepth|rescueWidth|rescueBatch|rescueSteps|rescueLr)$/.test(f.name) ? 'numeric' : 'text'}" aria-describedby="hint-${f.name} error-${f.name}">${error}`;
    }
    box.addEventListener('input', () => {
      delete this.urlErrors[f.name];
      delete this.urlErrors.form;
      this.changed();
    });
    return box;
  }

  /** Puts a complete set of options into the fields. */
  fill(o: SuiteOptions): void {
    this.preset.value = o.preset;
    for (const f of FIELDS) this.setField(f, Array.isArray(o[f.name]) ? (o[f.name] as unknown[]).join(',') : String(o[f.name]));
  }

  private setField(f: Field, value: string): void {
    if (f.choices) {
      const items = value.split(',').map((s) => s.trim());
      this.order[f.name] = [...new Set([...items.filter((c) => f.choices!.includes(c)), ...f.choices])];
      this.form.querySelectorAll<HTMLInputElement>(`input[name="${f.name}"]`).forEach((box) => { box.checked = items.includes(box.value); });
    } else {
      this.form.querySelector<HTMLInputElement>(`#opt-${f.name}`)!.value = value;
    }
  }

  /**
   * Fills the form from a URL query. An empty query opens the quick preset; otherwise the query
   * means what parseOptions says (no `quick` means the full preset, as on the command line).
   */
  loadQuery(search: string): void {
    const raw: FormValues = Object.fromEntries(new URLSearchParams(search));
    this.urlErrors = {};
    if (!Object.keys(raw).length) {
      this.fill(QUICK);
      this.showErrors();
      return;
    }
    this.fill(isQuick(raw.quick) ? QUICK : FULL);
    for (const [key, value] of Object.entries(raw)) {
      const f = FIELDS.find((field) => field.name === key);
      if (key === 'quick') continue;
      if (!f) {
        this.urlErrors.form = `The link has an unknown option '${key}'; options are ${OPTION_NAMES.join(', ')}.`;
        continue;
      }
      this.setField(f, value);
      const problem = this.check(f.name, value);
      if (f.choices && problem) this.urlErrors[f.name] = `In the link: ${problem}`;
    }
    this.showErrors();
  }

  /** The form as raw option strings, preset included. */
  raw(): FormValues {
    const raw: FormValues = { quick: this.preset.value === 'quick' ? '1' : '0' };
    for (const f of FIELDS) raw[f.name] = this.value(f);
    return raw;
  }

  private value(f: Field): string {
    if (!f.choices) return this.form.querySelector<HTMLInputElement>(`#opt-${f.name}`)!.value;
    const order = this.order[f.name] ?? f.choices;
    const checked = Array.from(this.form.querySelectorAll<HTMLInputElement>(`input[name="${f.name}"]:checked`), (b) => b.value);
    return checked.sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(',');
  }

  /** The problem with one field's value, or '' when it is fine. */
  private check(name: FieldName, value: string): string {
    if (value.trim() === '' && FIELDS.find((f) => f.name === name)?.choices) return 'choose at least one';
    try {
      parseOptions({ [name]: value });
      return '';
    } catch (e) {
      if (e instanceof OptionError) return shortMessage(e);
      throw e;
    }
  }

  private errors(): Partial<Record<FieldName | 'form', string>> {
    const errors = { ...this.urlErrors };
    for (const f of FIELDS) errors[f.name] ??= this.check(f.name, this.value(f)) || undefined;
    return Object.fromEntries(Object.entries(errors).filter(([, m]) => m));
  }

  private showErrors(): Partial<Record<FieldName | 'form', string>> {
    const errors = this.errors();
    for (const f of FIELDS) {
      const message = errors[f.name] ?? '';
      this.form.querySelector(`#error-${f.name}`)!.textContent = message;
      this.form.querySelector(`#field-${f.name}`)!.classList.toggle('invalid', message !== '');
      this.form.querySelectorAll<HTMLInputElement>(`[name="${f.name}"]`).forEach((input) => {
        if (message) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
      });
    }
    this.formError.textContent = errors.form ?? '';
    document.body.dataset.form = Object.keys(errors).length ? 'invalid' : 'valid';
    return errors;
  }

  /** The options, or null (with every error shown) when a value is bad. */
  validate(): SuiteOptions | null {
    if (Object.keys(this.showErrors()).length) return null;
    return parseOptions(this.raw());
  }

  /** Moves focus to the first field with an error. */
  focusFirstError(): void {
    this.form.querySelector<HTMLElement>('.field.invalid input')?.focus();
  }

  /** The URL query that reproduces these options (`quick=0` marks the full preset). */
  static query(o: SuiteOptions): string {
    const raw = { ...(o.preset === 'full' ? { quick: '0' } : {}), ...toQuery(o) };
    return Object.entries(raw).map(([k, v]) => `${k}=${encodeURIComponent(v ?? '').replace(/%2C/g, ',')}`).join('&');
  }

  setDisabled(disabled: boolean): void {
    this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select').forEach((el) => { el.disabled = disabled; });
  }

  private changed(): void {
    this.showErrors();
    this.onChange();
  }
}
