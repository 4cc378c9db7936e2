// The file commands of headless mode. Offering hashes the whole file first and accepting checks
// free space, so those run asynchronously: their outcome arrives as events (file_offered,
// file_accepted, ...) or as an `error` line, never blocking the commands that follow.

import type { Command } from '../commands/command-parser.js';
import type { LanchatNode } from '../core/node.js';
import { errorCode } from './errors.js';

/** Where replies go (headless.ts passes its HeadlessIo; no import back, no cycle). */
export interface FileCommandIo {
  write(line: { type: string; [key: string]: unknown }): void;
}

export type FileCommand = Extract<
  Command,
  { name: 'send-file' | 'accept' | 'reject' | 'cancel' | 'transfers' }
>;

export function runFileCommand(node: LanchatNode, command: FileCommand, io: FileCommandIo): void {
  const report = (err: unknown) => {
    const code = errorCode(err, 'failed');
    io.write({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
  };
  switch (command.name) {
    case 'send-file':
      node.sendFile(command.nick, command.path).catch(report);
      return;
    case 'accept':
      node.acceptFile(command.id, command.dir).catch(report);
      return;
    case 'reject':
      node.rejectFile(command.id);
      return;
    case 'cancel':
      node.cancelFile(command.id).catch(report);
      return;
    case 'transfers':
      io.write({ type: 'transfers', transfers: node.transferList() });
      return;
  }
}
