// @tus/server's lock, shared by every API host (see SharedUploadLocks): the in-process lock first,
// so requests of one upload on this host queue and ask each other to let go as tus intends, then
// the PostgreSQL lock that does the same across hosts.
import { SharedUploadLocks, UploadLockTimeout } from "@battycoda/core/uploads/tus-lock";
import { ERRORS, type Lock, type Locker, MemoryLocker, type RequestRelease } from "@tus/server";

export class SharedTusLocker implements Locker {
  private readonly local = new MemoryLocker();
  readonly shared: SharedUploadLocks;

  constructor(databaseUrl: string, onError?: (err: unknown) => void) {
    this.shared = new SharedUploadLocks(databaseUrl, { onError });
  }

  newLock(id: string): Lock {
    const local = this.local.newLock(id);
    const shared = this.shared;
    return {
      async lock(signal: AbortSignal, requestRelease: RequestRelease) {
        await local.lock(signal, requestRelease);
        try {
          await shared.acquire(id, signal, () => void requestRelease());
        } catch (err) {
          await local.unlock();
          throw err instanceof UploadLockTimeout ? ERRORS.ERR_LOCK_TIMEOUT : err;
        }
      },
      async unlock() {
        try {
          await shared.release(id);
        } finally {
          await local.unlock();
        }
      },
    };
  }

  close(): Promise<void> {
    return this.shared.close();
  }
}
