/** The Generate screen's form. */
import { MAX_GUIDANCE, MAX_TEMPERATURE } from '../../../../engine/src/api/index.js';
import { Field } from '../../components/Field.js';
import { DiceIcon, LockIcon, UnlockIcon } from '../../components/icons.js';
import { generate } from '../../commands/generate.js';
import { useStudio } from '../../host/studio.js';
import { MAX_IMAGES, randomSeed, RATIOS, type GenerateField } from '../../state/generate/form.js';
import { useStudioStore } from '../../state/store.js';
import { RestoreSettingsButton } from './RestoreSettingsButton.js';
import { ModeSwitch, VideoLengthFields } from './VideoFields.js';

/** Image or video, prompt, size (and length) and sampling, seed and count; Generate queues one job each. */
export function GenerateForm() {
  const studio = useStudio();
  const form = useStudioStore((state) => state.form);
  const errors = useStudioStore((state) => state.formErrors);
  const setField = useStudioStore((state) => state.setField);
  const setSeedLocked = useStudioStore((state) => state.setSeedLocked);
  const ready = useStudioStore((state) => state.models?.some((model) => model.active) ?? false);
  const input = (field: GenerateField) => ({
    value: form[field],
    onChange: (event: { target: { value: string } }) => setField(field, event.target.value),
  });
  const ratios = (RATIOS as readonly string[]).includes(form.ratio) ? RATIOS : [...RATIOS, form.ratio];

  return (
    <form
      className="generate-form"
      aria-label="Generation settings"
      onSubmit={(event) => {
        event.preventDefault();
        void generate(studio);
      }}
    >
      <ModeSwitch />
      <Field label="Prompt" error={errors.prompt}>
        {(control) => (
          <textarea
            {...control}
            {...input('prompt')}
            rows={4}
            placeholder="A lighthouse on a cliff at dawn, oil painting"
          />
        )}
      </Field>
      <Field
        label="Negative prompt"
        error={errors.negativePrompt}
        hint="Empty: the model's usual negative prompt."
      >
        {(control) => <textarea {...control} {...input('negativePrompt')} rows={2} />}
      </Field>

      <div className="field-row">
        <Field label="Ratio" error={errors.ratio}>
          {(control) => (
            <select {...control} {...input('ratio')}>
              {ratios.map((ratio) => (
                <option key={ratio} value={ratio}>
                  {ratio}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Size (px)" error={errors.size} hint="Side of a square of the same area.">
          {(control) => (
            <input {...control} {...input('size')} type="number" min={8} step={1} inputMode="numeric" />
          )}
        </Field>
      </div>

      {form.mode === 'video' && <VideoLengthFields />}

      <fieldset className="fieldset">
        <legend>Sampling</legend>
        <div className="field-row">
          <Field label="Guidance" error={errors.guidance}>
            {(control) => (
              <input
                {...control}
                {...input('guidance')}
                type="number"
                min={1}
                max={MAX_GUIDANCE}
                step={0.5}
              />
            )}
          </Field>
          <Field label="Temperature" error={errors.temperature}>
            {(control) => (
              <input
                {...control}
                {...input('temperature')}
                type="number"
                min={0.05}
                max={MAX_TEMPERATURE}
                step={0.05}
              />
            )}
          </Field>
        </div>
        <div className="field-row">
          <Field label="Top-k" error={errors.topK}>
            {(control) => <input {...control} {...input('topK')} type="number" min={1} step={1} />}
          </Field>
          <Field label="Top-p" error={errors.topP}>
            {(control) => (
              <input {...control} {...input('topP')} type="number" min={0.01} max={1} step={0.01} />
            )}
          </Field>
        </div>
      </fieldset>

      <div className="field-row field-row--seed">
        <Field
          label="Seed"
          error={errors.seed}
          hint={
            form.seedLocked
              ? 'Locked: +1 for each further image.'
              : 'Random for every image; lock to reuse the one shown.'
          }
        >
          {(control) => (
            <div className="seed-control">
              <input
                {...control}
                {...input('seed')}
                type="number"
                min={0}
                step={1}
                disabled={!form.seedLocked}
              />
              <button
                type="button"
                className="button button--icon"
                aria-pressed={form.seedLocked}
                aria-label="Lock seed"
                title={form.seedLocked ? 'Unlock: a random seed for every image' : 'Lock this seed'}
                onClick={() => setSeedLocked(!form.seedLocked)}
              >
                {form.seedLocked ? <LockIcon /> : <UnlockIcon />}
              </button>
              <button
                type="button"
                className="button button--icon"
                aria-label="New random seed"
                title="New random seed"
                onClick={() => {
                  setField('seed', String(randomSeed()));
                  setSeedLocked(true);
                }}
              >
                <DiceIcon />
              </button>
            </div>
          )}
        </Field>
        <Field label={form.mode === 'video' ? 'Videos' : 'Images'} error={errors.count}>
          {(control) => (
            <input {...control} {...input('count')} type="number" min={1} max={MAX_IMAGES} step={1} />
          )}
        </Field>
      </div>

      <button type="submit" className="button button--primary" disabled={!ready}>
        Generate <kbd className="button__kbd">Ctrl+Enter</kbd>
      </button>
      {!ready && <p className="muted">No model is active: start the studio with `emu3 serve --model DIR`.</p>}
      <RestoreSettingsButton />
    </form>
  );
}
