// Errors that cross the process and network boundaries keep a code and the field at fault.
import type { FieldIssue } from './config'

export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNKNOWN_CHANNEL'
  | 'DATA_ERROR'
  | 'INTERNAL'

export interface ErrorInfo {
  code: ErrorCode
  message: string
  issues?: FieldIssue[]
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorInfo }

export class LabError extends Error {
  readonly code: ErrorCode
  readonly issues?: FieldIssue[]
  constructor(code: ErrorCode, message: string, issues?: FieldIssue[]) {
    super(message)
    this.name = 'LabError'
    this.code = code
    this.issues = issues
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) }
  }

  static fromInfo(info: ErrorInfo): LabError {
    return new LabError(info.code, info.message, info.issues)
  }
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof LabError) return err.toInfo()
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message }
}
