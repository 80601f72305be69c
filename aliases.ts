// The one place the import aliases are declared; electron-vite, vitest and the
// tsconfig "paths" all mirror these two entries.
import { resolve } from 'node:path'

export const aliases = {
  '@shared': resolve(__dirname, 'src/shared'),
  '@renderer': resolve(__dirname, 'src/renderer/src')
}
