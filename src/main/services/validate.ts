// The one parse-or-throw of the lab's services: a request or config that its schema refuses
// becomes a LabError naming each wrong field, prefixed with what was being checked.
import type { z } from 'zod'
import { describeIssues, formatIssues, type FieldIssue } from '@shared/config'
import { LabError, type ErrorCode } from '@shared/errors'

export interface ParseOptions {
  /** INVALID_REQUEST unless said otherwise (INVALID_CONFIG for run configs). */
  code?: ErrorCode
  /** Rewrites the issues before they are reported (dispatch names config fields without "config."). */
  issues?: (issues: FieldIssue[]) => FieldIssue[]
}

/** `schema`'s output for `input`, or a LabError "`what`: field: message; ...". */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, opts: ParseOptions = {}): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const described = describeIssues(parsed.error)
  const issues = opts.issues ? opts.issues(described) : described
  throw new LabError(opts.code ?? 'INVALID_REQUEST', `${what}: ${formatIssues(issues)}`, issues)
}
