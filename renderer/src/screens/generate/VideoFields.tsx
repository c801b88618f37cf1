/** The Generate form's image/video switch and video length fields. */
import { Field } from '../../components/Field.js';
import { MAX_LATENT_FRAMES, MAX_VIDEO_FPS } from '../../../../engine/src/api/index.js';
import { describeLength } from '../../state/generate/video-form.js';
import { selectActiveModel } from '../../state/models/slice.js';
import { useStudioStore } from '../../state/store.js';

/** Image or video: the first choice of the Generate form. */
export function ModeSwitch() {
  const mode = useStudioStore((state) => state.form.mode);
  const setMode = useStudioStore((state) => state.setMode);
  return (
    <div className="segmented mode-switch" role="group" aria-label="Generate an image or a video">
      {(['image', 'video'] as const).map((option) => (
        <button
          key={option}
          type="button"
          className="segmented__option"
          aria-pressed={mode === option}
          onClick={() => setMode(option)}
        >
          {option === 'image' ? 'Image' : 'Video'}
        </button>
      ))}
    </div>
  );
}

/** A video's length in latent frames (shown as frames and seconds at the rate) and its rate. */
export function VideoLengthFields() {
  const form = useStudioStore((state) => state.form);
  const errors = useStudioStore((state) => state.formErrors);
  const setField = useStudioStore((state) => state.setField);
  const temporalFactor = useStudioStore((state) => selectActiveModel(state)?.temporalFactor ?? null);
  const length = temporalFactor === null ? null : describeLength(form.frames, form.fps, temporalFactor);
  const perLatent =
    temporalFactor === null
      ? 'Each latent frame is several video frames.'
      : `Each latent frame is ${temporalFactor} video frames.`;
  return (
    <div className="field-row">
      <Field label="Length (latent frames)" error={errors.frames} hint={length ?? perLatent}>
        {(control) => (
          <input
            {...control}
            type="number"
            min={1}
            max={MAX_LATENT_FRAMES}
            step={1}
            value={form.frames}
            onChange={(event) => setField('frames', event.target.value)}
          />
        )}
      </Field>
      <Field label="FPS" error={errors.fps}>
        {(control) => (
          <input
            {...control}
            type="number"
            min={1}
            max={MAX_VIDEO_FPS}
            step={1}
            value={form.fps}
            onChange={(event) => setField('fps', event.target.value)}
          />
        )}
      </Field>
    </div>
  );
}
