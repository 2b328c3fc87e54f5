# A dm-cache device, two writes promoted into the cache and committed by a
# FLUSH, an overwrite never flushed, then a power cut: after the restart
# the flushed blocks read back, the overwrite may be lost.
disk md 128        # metadata: 16 blocks of 4 KiB
disk cd 32         # cache: 4 blocks of 8 sectors
disk od 256        # origin
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
write c 0 8 0x11
write c 16 8 0x22
flush c            # commits both mappings (fixed: flushes their data first)
write c 16 8 0x33  # an overwrite in the cache, never flushed: may be lost
crash
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
verify c 0 8 0x11
read c 16 8
status c
remove c
