// The Lua scripts are read at run time from beside the compiled code: copy them into dist/.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(pkg, 'src', 'lua'), join(pkg, 'dist', 'lua'), { recursive: true });
