// `serve`: the lab served to a browser over HTTP and a WebSocket, until SIGINT or SIGTERM.
import { resolve } from 'node:path'
import { startLabServer } from '../../main/server/lab-server'
import { Lab } from '../../main/services/lab'
import { forkLauncher } from '../../main/trainer-host/fork-launcher'
import { dataDirOption, defineCommand } from '../command'
import { VERSION, dataDirOf, num } from '../lab'

export const serve = defineCommand({
  name: 'serve',
  summary: 'Serves the lab to a browser until stopped.',
  synopsis: '[--port 7777] [--host 127.0.0.1] [options]',
  options: {
    port: { type: 'string', value: 'N', default: '7777', description: 'the port to listen on' },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', description: 'the address to listen on' },
    token: { type: 'string', value: 'TOKEN', description: 'the access token browsers must give', shownDefault: '$GAN_WORKBENCH_TOKEN, else a new one' },
    'data-dir': dataDirOption
  },
  notes: ['Serves the renderer built in out/renderer: npm run serve -- ... builds it first.'],
  async run({ values, io }) {
    const dataDir = dataDirOf(values['data-dir'])
    const lab = new Lab({
      dataDir,
      launcher: forkLauncher(),
      version: VERSION,
      transport: 'websocket',
      program: 'the lab server',
      log: (level, message) => (level === 'info' ? undefined : io.err(message))
    })
    const server = await startLabServer({
      lab,
      rendererDir: resolve(__dirname, '../../../out/renderer'),
      host: values.host,
      port: num(values.port, '--port'),
      token: values.token ?? process.env.GAN_WORKBENCH_TOKEN,
      log: (m) => io.err(m)
    })
    io.out(`GAN Workbench lab server, data in ${dataDir}`)
    io.out(`open ${server.url}`)
    await new Promise<void>((done) => {
      process.once('SIGINT', done)
      process.once('SIGTERM', done)
    })
    await server.close()
    lab.close()
    return 0
  }
})
