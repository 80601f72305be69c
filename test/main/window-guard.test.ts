import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { guardContents, isExternalLinkAllowed, type GuardedContents } from '../../src/main/window-guard'

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }
  /** Emits a cancellable event the way Electron does and says whether it was cancelled. */
  fire(name: string, url?: string): boolean {
    let prevented = false
    this.emit(name, { preventDefault: () => (prevented = true) }, url)
    return prevented
  }
}

function guarded(isAppUrl: (url: string) => boolean = () => false): { contents: FakeContents; opened: string[] } {
  const contents = new FakeContents()
  const opened: string[] = []
  guardContents(contents as unknown as GuardedContents, (url) => opened.push(url), isAppUrl)
  return { contents, opened }
}

describe('window guard', () => {
  it('refuses navigation and redirects away from the app', () => {
    const { contents } = guarded()
    expect(contents.fire('will-navigate', 'https://example.com/')).toBe(true)
    expect(contents.fire('will-redirect', 'file:///etc/passwd')).toBe(true)
  })

  it('lets the app document itself load', () => {
    const { contents } = guarded((url) => url === 'file:///app/index.html')
    expect(contents.fire('will-navigate', 'file:///app/index.html')).toBe(false)
    expect(contents.fire('will-navigate', 'file:///app/other.html')).toBe(true)
  })

  it('never attaches a <webview>', () => {
    expect(guarded().contents.fire('will-attach-webview')).toBe(true)
  })

  it('denies every new window; only plain https links go to the system browser', () => {
    const { contents, opened } = guarded()
    for (const url of ['https://arxiv.org/abs/1511.06434', 'http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com', 'not a url']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' })
    }
    expect(opened).toEqual(['https://arxiv.org/abs/1511.06434'])
  })

  it('allows only https links without credentials', () => {
    expect(isExternalLinkAllowed('https://github.com/')).toBe(true)
    expect(isExternalLinkAllowed('smb://host/share')).toBe(false)
    expect(isExternalLinkAllowed('https://a:b@github.com/')).toBe(false)
  })
})
