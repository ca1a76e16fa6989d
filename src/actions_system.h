/* Internal: the action table's rows for group extras, the account, the system and the rest of NapCat's surface: OB_PARAMS_<name>
 * lists and the OB_ACTIONS_SYSTEM list, in the row shape documented in
 * actions.h (included from there only). Public prototypes: <onebot/system.h>. */
#ifndef OB_ACTIONS_SYSTEM_H
#define OB_ACTIONS_SYSTEM_H

#define OB_ACTIONS_SYSTEM(X)

#endif
