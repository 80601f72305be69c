// Which inputs a form shows now and under what names: a FormField inside a form that provides a
// registry says so as it appears, so the form places a field's problem next to its input when it
// is on screen and names the field by its label in the list above the buttons when it is not.
import type { InjectionKey } from 'vue'

export interface FieldRegistry {
  /** Called by a FormField as it appears; the returned function when it goes. */
  place(field: string, label: string): () => void
}

export const FIELD_REGISTRY: InjectionKey<FieldRegistry> = Symbol('field-registry')
