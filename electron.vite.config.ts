// Builds the three Electron targets. The trainer is a second main-side entry so the
// utility process can load it from out/main/trainer.js beside the app's own main.
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { aliases } from './aliases'

export default defineConfig({
  main: {
    resolve: { alias: aliases },
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          trainer: resolve(__dirname, 'src/main/trainer/entry.ts')
        }
      }
    }
  },
  preload: {
    resolve: { alias: aliases },
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    resolve: { alias: aliases },
    plugins: [vue()],
    build: {
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') }
    }
  }
})
