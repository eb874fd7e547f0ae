/*
 * Functions this project does not call: they overflow buffers or hide
 * errors. Use strbuf, snprintf into a sized buffer, or ie_parse_int instead.
 * Included last by every source file of the project.
 */
#ifndef IE_BANNED_H
#define IE_BANNED_H

#define IE_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) IE_BANNED(strcpy)
#undef strcat
#define strcat(x, y) IE_BANNED(strcat)
#undef sprintf
#define sprintf(...) IE_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) IE_BANNED(vsprintf)
#undef atoi
#define atoi(x) IE_BANNED(atoi)
#undef gets
#define gets(x) IE_BANNED(gets)

#endif
