/* keeps the support library non-empty */
typedef int ob_testsupport_empty_unit;
