// The rules every web contents of the app follows, kept free of Electron imports so they are
// tested without Electron: no navigation away from the app, no new windows (https links go
// to the user's browser), no <webview>, no permission (camera, notifications...) granted.

/** The parts of Electron's WebContents the guard uses. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/** Only plain https pages may leave the app, and only to the system browser. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === ''
  } catch {
    return false
  }
}

/**
 * `appUrl` is the URL the window loaded (file://.../index.html or the dev server); a
 * navigation is allowed only to the same document (a hash route change never fires
 * will-navigate, so in practice every navigation is refused).
 */
export function guardContents(contents: GuardedContents, openExternal: (url: string) => void, isAppUrl: (url: string) => boolean): void {
  const refuse = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url)) event.preventDefault()
  }
  contents.on('will-navigate', refuse)
  contents.on('will-redirect', refuse)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) openExternal(url)
    return { action: 'deny' }
  })
}
