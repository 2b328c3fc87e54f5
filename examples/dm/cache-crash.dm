# A dm-cache device, a write promoted into the cache and committed by a
# FLUSH, then a power cut: after the restart the block must read back.
disk md 128        # metadata: 16 blocks of 4 KiB
disk cd 32         # cache: 4 blocks of 8 sectors
disk od 256        # origin
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
write c 0 8 0x11
flush c
write c 16 8 0x22  # promoted, never flushed: may be lost
status c
crash
create c 0 256 cache /dev/md /dev/cd /dev/od 8 1 writeback default 0
verify c 0 8 0x11
read c 16 8
status c
remove c
