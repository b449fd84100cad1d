// The semver package ships no types and @types/semver is not installed; only what dist.test.ts uses.
declare module 'semver' {
  interface SemVer {
    version: string;
  }
  const semver: {
    validRange(range: string): string | null;
    satisfies(version: string, range: string): boolean;
    minVersion(range: string): SemVer | null;
    gte(a: string | SemVer, b: string | SemVer): boolean;
    major(version: string): number;
    minor(version: string): number;
  };
  export default semver;
}
