/* Group extras, the account, the system and the rest of NapCat's surface: one function per NapCat action, with its _async
 * twin and the decoder of its result, generated from the action table
 * (see <onebot/group.h> for the conventions). */
#ifndef ONEBOT_SYSTEM_H
#define ONEBOT_SYSTEM_H

#include <onebot/client.h>
#include <onebot/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif
