// The handler table of all channels, composed from the tables of the lab's services. Each
// service answers its own channels; the compiler refuses a composition that leaves a channel
// unanswered or answers one twice.
import { requestSchemas, type Channel, type LabHandlers } from '@shared/api'

/** The channels a list of tables answers (each table's own keys, not only the common ones). */
type Answered<T extends readonly object[]> = T[number] extends infer U ? (U extends object ? keyof U : never) : never

/** Channels two tables of the list both answer. */
type AnsweredTwice<T extends readonly object[]> = {
  [I in keyof T]: { [J in keyof T]: J extends I ? never : keyof T[I] & keyof T[J] }[number]
}[number]

type CoverageProblem<T extends readonly object[]> = [Exclude<Channel, Answered<T>>] extends [never]
  ? [AnsweredTwice<T>] extends [never]
    ? never
    : { answeredTwice: AnsweredTwice<T> }
  : { unanswered: Exclude<Channel, Answered<T>> }

/**
 * One LabHandlers from the services' tables. A missing or doubled channel is a compile error
 * (the call then wants a second argument whose type names the channels); it is checked at
 * run time as well, for tables built in ways the compiler cannot see through.
 */
export function composeHandlers<T extends readonly Partial<LabHandlers>[]>(
  tables: readonly [...T],
  ...problem: [CoverageProblem<T>] extends [never] ? [] : [CoverageProblem<T>]
): LabHandlers {
  void problem
  const all: Partial<Record<Channel, unknown>> = {}
  for (const table of tables) {
    for (const channel of Object.keys(table) as Channel[]) {
      if (channel in all) throw new Error(`Two services answer ${channel}`)
      all[channel] = table[channel]
    }
  }
  for (const channel of Object.keys(requestSchemas) as Channel[]) {
    if (!(channel in all)) throw new Error(`No service answers ${channel}`)
  }
  return all as LabHandlers
}

/**
 * Channels that write the data folder (its database or files) without starting a trainer; those
 * that start, stop or delete runs check for the folder's lock themselves (LabContext.requireWriter).
 */
export const WRITING_CHANNELS: readonly Channel[] = [
  'runs:update',
  'runs:import-bundle',
  'settings:set',
  'comparisons:save',
  'comparisons:delete',
  'latent-views:save',
  'latent-views:delete',
  'datasets:import',
  'datasets:delete',
  'classifier:train',
  'eval:run'
]

/** The handlers with every writing channel run under the data folder's lock (`writing`). */
export function guardWrites(handlers: LabHandlers, writing: <T>(action: string, fn: () => T) => T): LabHandlers {
  const guarded: Record<string, unknown> = { ...handlers }
  for (const channel of WRITING_CHANNELS) {
    const handler = handlers[channel] as (req: unknown) => unknown
    guarded[channel] = (req: unknown) => writing(`answer ${channel}`, () => handler(req))
  }
  return guarded as unknown as LabHandlers
}
