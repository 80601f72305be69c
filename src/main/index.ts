// Electron main: one window, the lab services, the IPC bridge and a hardened renderer.
import { app, BrowserWindow, dialog, session, shell } from 'electron'
import { join } from 'node:path'
import { registerLabHandlers } from './ipc'
import { guardContents } from './window-guard'
import { APP_NAME, defaultDataDir } from './paths'
import { Lab } from './services/lab'
import { utilityLauncher } from './trainer-host/utility-launcher'

app.setName(APP_NAME)
const dataDir = defaultDataDir()
app.setPath('userData', dataDir)

let lab: Lab | null = null
let window: BrowserWindow | null = null

// One app per user: a second launch hands over to the first, which brings its window forward.
const primary = app.requestSingleInstanceLock()
if (!primary) app.quit()
app.on('second-instance', () => {
  if (!window || window.isDestroyed()) return
  if (window.isMinimized()) window.restore()
  window.focus()
})

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: APP_NAME,
    icon: join(__dirname, '../../resources/icon.png'),
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    }
  })
  win.once('ready-to-show', () => win.show())
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (!app.isPackaged && devUrl) void win.loadURL(devUrl)
  else void win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

// Every web contents the app ever creates (the window, any frame) follows the same rules.
app.on('web-contents-created', (_event, contents) => {
  guardContents(contents, (url) => void shell.openExternal(url), () => false)
})

function openLab(): Lab | null {
  try {
    return new Lab({
      dataDir,
      launcher: utilityLauncher(join(__dirname, 'trainer.js')),
      version: app.getVersion(),
      transport: 'ipc',
      program: 'the desktop app',
      // Export destinations are chosen here, in the main process; the renderer never names a path.
      chooseFolder: async (title) => {
        const options: Electron.OpenDialogOptions = { title, buttonLabel: 'Export here', properties: ['openDirectory', 'createDirectory'] }
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
        return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0]
      },
      log: (level, message) => (level === 'error' ? console.error(message) : console.log(message)),
      // Data-set files are chosen here, in the main process; the renderer never names a path.
      chooseFiles: async (kind) => {
        const dialogs: Record<typeof kind, Electron.OpenDialogOptions> = {
          csv: { title: 'Import a CSV table', properties: ['openFile'], filters: [{ name: 'CSV', extensions: ['csv', 'tsv', 'txt'] }] },
          idx: { title: 'Import IDX images (and optionally their labels)', properties: ['openFile', 'multiSelections'] },
          cifar: { title: 'Import CIFAR-10 binary batches', properties: ['openFile', 'multiSelections'], filters: [{ name: 'CIFAR-10 batches', extensions: ['bin'] }] },
          folder: { title: 'Import a folder of PNG/JPEG images', properties: ['openDirectory'] }
        }
        const options = dialogs[kind]
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : result.filePaths
      }
      })
  } catch (err) {
    // Another program (the lab server, npm run train) holds the data folder: say who, and quit.
    dialog.showErrorBox(`${APP_NAME} cannot open its data folder`, err instanceof Error ? err.message : String(err))
    return null
  }
}

void app.whenReady().then(() => {
  if (!primary) return
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  lab = openLab()
  if (!lab) {
    app.quit()
    return
  }
  window = createWindow()
  const trustedId = (): number | undefined => window?.webContents.id
  registerLabHandlers(lab.handlers, (event) => event.sender.id === trustedId() && event.senderFrame === window?.webContents.mainFrame)
  lab.subscribe(({ event, payload }) => {
    if (window && !window.isDestroyed()) window.webContents.send(event, payload)
  })
})

app.on('window-all-closed', () => {
  lab?.close()
  lab = null
  app.quit()
})
