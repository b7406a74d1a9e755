/*
 * commands.h - the shell's builtins (commands.c).
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#define MAX_ARGS 32

/* Cut a line into words, in place: argc, and argv with a null at its end. */
int split(char *line, char **argv);

/* Run one command line (it is cut into words in place). */
void run_command(char *line);

/* Become the program argv[0] (from /bin, unless the name has a slash).
 * Returns only if it cannot (having said why). */
void exec_program(char **argv);

void cmd_poweroff(void);
void idle_forever(void);

#endif
