/* ans_escape.h: write untrusted strings (node names, messages from results
 * files) into XML/HTML, CSV and YAML output safely. */
#ifndef TIERPERF_ANS_ESCAPE_H
#define TIERPERF_ANS_ESCAPE_H

#include <stdio.h>

/* & < > " ' escaped; control characters other than tab/newline dropped;
 * invalid UTF-8 is passed through byte-wise only if printable ASCII. */
void ans_xml_puts(FILE *out, const char *s);
/* One CSV field (RFC 4180 quoting), with a leading ' on text that a
 * spreadsheet would read as a formula (= + - @). */
void ans_csv_puts(FILE *out, const char *s);
/* A YAML double-quoted scalar, quotes included. */
void ans_yaml_puts(FILE *out, const char *s);

#endif
