/* The commands of qe-report, one per file of cmd/report/. */
#ifndef QE_CMD_REPORT_H
#define QE_CMD_REPORT_H

int cmd_report_position(int argc, char **argv);
int cmd_report_risk(int argc, char **argv);
int cmd_report_summary(int argc, char **argv);
int cmd_report_html(int argc, char **argv);
int cmd_report_pnl(int argc, char **argv);
int cmd_report_remit(int argc, char **argv);
int cmd_report_cot(int argc, char **argv);
int cmd_report_audit(int argc, char **argv);

#endif
