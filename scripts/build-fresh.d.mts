/** The bundle's file URL when it exists and is newer than every file it was built from; else null. */
export function freshBundle(bundleUrl: URL | string): string | null;
