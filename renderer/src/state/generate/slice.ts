/** The Generate form's state: what the user typed, the model's defaults, and settings taken from an item. */
import type { StateCreator } from 'zustand';
import type { ModelSummary, RecordSummary } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';
import {
  EMPTY_FORM,
  formFromRecord,
  type FieldErrors,
  type GenerateField,
  type GenerateForm,
} from './form.js';

export interface GenerateSlice {
  form: GenerateForm;
  /** Shown under each field after a Generate that the form refused. */
  formErrors: FieldErrors;
  setField(field: GenerateField, value: string): void;
  setSeedLocked(locked: boolean): void;
  /** Fills the fields the user left empty with the active model's defaults. */
  modelDefaultsLoaded(model: Pick<ModelSummary, 'imageArea' | 'generationDefaults'>): void;
  /** "Use these settings": the form becomes the record's, seed locked, joined to its item when given. */
  applyRecord(record: RecordSummary, itemId?: number): void;
  setMode(mode: GenerateForm['mode']): void;
  setFormErrors(errors: FieldErrors): void;
  /** After queueing with an unlocked seed, the field shows the first seed used, ready to be locked. */
  seedsUsed(seeds: number[]): void;
}

export const createGenerateSlice: StateCreator<StudioState, [], [], GenerateSlice> = (set) => ({
  form: EMPTY_FORM,
  formErrors: {},
  setField: (field, value) =>
    set((state) => {
      const formErrors = { ...state.formErrors };
      delete formErrors[field];
      return { form: { ...state.form, [field]: value }, formErrors };
    }),
  setSeedLocked: (seedLocked) => set((state) => ({ form: { ...state.form, seedLocked } })),
  modelDefaultsLoaded: ({ imageArea, generationDefaults: d }) =>
    set((state) => {
      const fill = (value: string, fallback: number | string) =>
        value.trim() === '' ? String(fallback) : value;
      const { form } = state;
      return {
        form: {
          ...form,
          size: fill(form.size, Math.round(Math.sqrt(imageArea))),
          guidance: fill(form.guidance, d.guidance),
          temperature: fill(form.temperature, d.temperature),
          topK: fill(form.topK, d.topK),
          topP: fill(form.topP, d.topP),
        },
      };
    }),
  applyRecord: (record, itemId) => set({ form: formFromRecord(record, itemId), formErrors: {} }),
  setMode: (mode) => set((state) => ({ form: { ...state.form, mode } })),
  setFormErrors: (formErrors) => set({ formErrors }),
  seedsUsed: (seeds) =>
    set((state) =>
      state.form.seedLocked || seeds.length === 0 ? {} : { form: { ...state.form, seed: String(seeds[0]) } },
    ),
});
