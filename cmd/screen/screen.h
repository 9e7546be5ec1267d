/* The commands of qe-screen, one per file of cmd/screen/. */
#ifndef QE_CMD_SCREEN_H
#define QE_CMD_SCREEN_H

int cmd_screen_lei(int argc, char **argv);
int cmd_screen_check(int argc, char **argv);
int cmd_screen_whatif(int argc, char **argv);
/* check (whatif 0) and whatif (1): one option table, in check.c. */
int screen_run(int argc, char **argv, int whatif);

#endif
