#!/usr/bin/env node
// The installed `lantern` command: runs the TypeScript CLI on Node 24 (type stripping).
import '../src/cli/main.ts';
