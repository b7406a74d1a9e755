/*
 * agent.h - the shell's agent mode: the same commands, driven by a program
 * (the sandbox library, sandbox/ at the top of the repository) instead of
 * a person at a prompt.
 *
 * `agent` on the kernel command line starts it. The console is then a
 * binary channel (raw: no echo, no line editing, no \r added) of frames,
 * both ways:
 *
 *     MAGIC (4 bytes: 0x1e 'A' 'G' 'T'), kind (1 byte),
 *     length (4 bytes, little-endian), payload (that many bytes)
 *
 *   requests (the library's)              answers (ours)
 *   'r' run: u32 timeout in ms, then a    'o' some of its standard output
 *       command line of the shell         'e' some of its standard error
 *                                         'x' it ended: i32 status (-N: killed
 *                                             by signal N)
 *                                         't' out of time: it was killed
 *   'w' write a file: u16 path length,    'k' done
 *       the path, then the file's bytes   'n' failed: why, as text
 *   'g' get a file: its path              'f' some of its bytes ... then 'k'
 *                                             (or 'n')
 *                                         'R' ready (once, at the start)
 *
 * A command runs in a child process with its own standard input (empty),
 * output and error, so that nothing it does can mix with the frames.
 * Everything here comes from the guest: a sandbox trusts it only as far
 * as it trusts the guest (the hypervisor's own messages take another path).
 */
#ifndef AGENT_H
#define AGENT_H

void agent(void);

#endif
