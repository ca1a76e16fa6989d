/* Messages, message history, forwards, reactions, pokes, private chat and friends (NapCat): one function per NapCat action, with its _async
 * twin and the decoder of its result, generated from the action table
 * (see <onebot/group.h> for the conventions). */
#ifndef ONEBOT_MESSAGE_H
#define ONEBOT_MESSAGE_H

#include <onebot/client.h>
#include <onebot/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif
