// Numbered migrations, applied in order; PRAGMA user_version records the last one applied.
import type { Database } from 'better-sqlite3'
import * as m0001 from './0001-initial'
import * as m0002 from './0002-latent-cache'
import * as m0003 from './0003-run-notes-tags'
import * as m0004 from './0004-latent-cache-plane-key'
import * as m0005 from './0005-comparisons'
import * as m0006 from './0006-latent-views'
import * as m0007 from './0007-datasets'
import * as m0008 from './0008-evaluation'
import * as m0009 from './0009-wasserstein-metrics'
import * as m0010 from './0010-conditional-scores'
import * as m0011 from './0011-sweeps-settings'
import * as m0012 from './0012-epoch-fields'
import * as m0013 from './0013-slurm-tasks'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

export const MIGRATIONS: Migration[] = [
  { version: 1, ...m0001 },
  { version: 2, ...m0002 },
  { version: 3, ...m0003 },
  { version: 4, ...m0004 },
  { version: 5, ...m0005 },
  { version: 6, ...m0006 },
  { version: 7, ...m0007 },
  { version: 8, ...m0008 },
  { version: 9, ...m0009 },
  { version: 10, ...m0010 },
  { version: 11, ...m0011 },
  { version: 12, ...m0012 },
  { version: 13, ...m0013 }
]
