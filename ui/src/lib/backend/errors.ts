// Every Backend method rejects with an IpcError and nothing else. The UI branches on `code` only and
// shows `message` to the clinician (the Rust side writes it as a sentence a clinician can act on).
import type { ErrorCode } from "./bindings/ErrorCode";
import type { IpcError } from "./bindings/IpcError";

export type { ErrorCode, IpcError };

/** Every code of the generated `ErrorCode` union; the `Record` makes the compiler flag drift. */
const KNOWN_CODES: Record<ErrorCode, true> = {
  BadCredentials: true,
  WrongCode: true,
  TooManyAttempts: true,
  SessionExpired: true,
  NotSignedIn: true,
  Offline: true,
  ServerError: true,
  KeyringUnavailable: true,
  InvalidInput: true,
  Forbidden: true,
  Storage: true,
  NotConfigured: true,
  Locked: true,
  Cancelled: true,
  Internal: true,
};

export const INTERNAL_MESSAGE =
  "Something went wrong in Huma Clinician. Please try again; if it keeps happening, contact your IT support.";

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KNOWN_CODES, value);
}

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return isErrorCode(v.code) && typeof v.message === "string";
}

/**
 * Normalise anything a call threw (a serialised Rust error, a string from Tauri such as
 * "command not found", a JS Error, undefined …) into an IpcError.
 * Only a well-formed `{code, message}` keeps its code and message; anything else is `Internal`
 * with a generic sentence, never raw text that was not written for the clinician.
 */
export function toIpcError(thrown: unknown): IpcError {
  if (isIpcError(thrown)) {
    return { code: thrown.code, message: thrown.message.trim() === "" ? INTERNAL_MESSAGE : thrown.message };
  }
  return { code: "Internal", message: INTERNAL_MESSAGE };
}

/** The codes after which the clinician must sign in (again). */
export function isSessionLost(error: IpcError): boolean {
  return error.code === "NotSignedIn" || error.code === "SessionExpired";
}

export function ipcError(code: ErrorCode, message: string): IpcError {
  return { code, message };
}
