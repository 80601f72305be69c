// A popover's dismissal: Escape or a press outside its element closes it, as menus do elsewhere.
import { onBeforeUnmount, watch, type Ref } from 'vue'

export function useDismiss(root: Ref<HTMLElement | null>, open: Ref<boolean>): void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') open.value = false
  }
  const onPointer = (e: Event): void => {
    if (root.value && e.target instanceof Node && !root.value.contains(e.target)) open.value = false
  }
  const detach = (): void => {
    document.removeEventListener('keydown', onKey)
    document.removeEventListener('pointerdown', onPointer, true)
  }
  watch(open, (isOpen) => {
    detach()
    if (isOpen) {
      document.addEventListener('keydown', onKey)
      document.addEventListener('pointerdown', onPointer, true)
    }
  })
  onBeforeUnmount(detach)
}
