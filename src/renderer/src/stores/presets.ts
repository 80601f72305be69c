// Model presets offered by the new-run form. Starts from the built-in list so the form works
// before the back end answers, then takes the back end's list, which is authoritative.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { PRESETS, type PresetId, type PresetInfo } from '@shared/config'
import { useLabApi } from '@renderer/api/current'
import { errorMessage } from '@renderer/format'

export const usePresetsStore = defineStore('presets', () => {
  const presets = ref<PresetInfo[]>(Object.values(PRESETS))
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      const list = await useLabApi().call('presets:list', undefined)
      if (list.length > 0) presets.value = list
      loaded.value = true
      error.value = null
    } catch (err) {
      error.value = `Could not load presets: ${errorMessage(err)}`
    }
  }

  function byId(id: PresetId): PresetInfo {
    return presets.value.find((p) => p.id === id) ?? PRESETS[id]
  }

  return { presets, loaded, error, load, byId }
})
