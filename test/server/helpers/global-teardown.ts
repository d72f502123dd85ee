import fs from 'node:fs';
import { migratedDumpPath } from './dump-path';

export default function globalTeardown(): void {
  fs.rmSync(migratedDumpPath(), { force: true });
}
