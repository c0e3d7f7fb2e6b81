/*
 * win_delay_load.c: binds the addon's Node-API imports to the process that
 * loads it (prebuilt Windows binary only; node-gyp adds its own equivalent).
 *
 * The addon is linked against a delay-load import library naming node.exe.
 * A host whose executable is called something else (a renamed node.exe,
 * Electron) would make the loader look for a second "node.exe" and fail, so
 * the first call into Node-API resolves that name to the running executable,
 * which is the module that exports Node-API.
 */
#include <windows.h>
#include <delayimp.h>

static FARPROC WINAPI exlab_delay_hook(unsigned event, PDelayLoadInfo info) {
  if (event == dliNotePreLoadLibrary && info != NULL && info->szDll != NULL &&
      lstrcmpiA(info->szDll, "node.exe") == 0) {
    return (FARPROC)GetModuleHandleW(NULL);
  }
  return NULL;
}

/* Set before any import is used: Node calls napi_register_module_v1 only
 * after the DLL is attached. */
BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved) {
  (void)self;
  (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) __pfnDliNotifyHook2 = exlab_delay_hook;
  return TRUE;
}
