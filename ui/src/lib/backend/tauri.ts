// The real Backend: Tauri commands over IPC. Argument objects are camelCase, as Tauri expects.
import { invoke } from "@tauri-apps/api/core";
import type { Backend } from "./index";
import type { AppInfo } from "./bindings/AppInfo";
import type { PatientList } from "./bindings/PatientList";
import type { PatientPage } from "./bindings/PatientPage";
import type { PatientQuery } from "./bindings/PatientQuery";
import type { Preferences } from "./bindings/Preferences";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { SignInStep } from "./bindings/SignInStep";
import { toIpcError } from "./errors";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (thrown) {
    const error = toIpcError(thrown);
    if (error.code === "Internal" && import.meta.env.DEV) {
      // Diagnostics for developers only: raw errors can carry details not meant for the clinician.
      console.error(`Huma Clinician: command ${command} failed`, thrown);
    }
    throw error;
  }
}

export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call("app_info");
  }
  resumeSession(): Promise<SessionInfo | null> {
    return call("resume_session");
  }
  signIn(email: string, password: string): Promise<SignInStep> {
    return call("sign_in", { email, password });
  }
  submitCode(code: string): Promise<SessionInfo> {
    return call("submit_code", { code });
  }
  signOut(): Promise<null> {
    return call("sign_out");
  }
  patientLists(): Promise<PatientList[]> {
    return call("patient_lists");
  }
  searchPatients(query: PatientQuery): Promise<PatientPage> {
    return call("search_patients", { query });
  }
  preferences(): Promise<Preferences> {
    return call("preferences");
  }
  setLastList(listId: string): Promise<null> {
    return call("set_last_list", { listId });
  }
}
