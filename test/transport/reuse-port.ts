// Where a listening group (accept-group.ts) can form: Linux, and Node 22.12 or later (net.Server's
// `reusePort`; older ones ignore it, and lanchat falls back to one socket).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
export const reusePortWorks = process.platform === 'linux' && (major > 22 || (major === 22 && minor >= 12));
