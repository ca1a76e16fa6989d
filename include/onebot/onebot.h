/* libonebot: a C11 client for OneBot v11 servers (NapCat), with the complete
 * QQ group API. The umbrella header: include this one. */
#ifndef ONEBOT_ONEBOT_H
#define ONEBOT_ONEBOT_H

#include <onebot/types.h>
#include <onebot/client.h>
#include <onebot/event.h>
#include <onebot/group.h>
#include <onebot/message.h>
#include <onebot/system.h>
#include <onebot/hub.h>

#endif
