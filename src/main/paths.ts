// Where the lab keeps its data when no --data-dir is given: the same folder Electron
// uses as userData for this app, so the CLI, the server and the app share one store.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const APP_NAME = 'GAN Workbench'

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.GAN_WORKBENCH_DATA) return resolve(env.GAN_WORKBENCH_DATA)
  const home = homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME)
}
