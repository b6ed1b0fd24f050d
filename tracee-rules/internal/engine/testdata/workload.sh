#!/bin/sh
# Ordinary workload plus one run of each attack trigger.
cd /tmp/rs_rec
python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",47474)); s.listen(1)
c,_=s.accept(); print("listener got", c.recv(100)); c.close()
' &
LP=$!
end=$(( $(date +%s) + 8 ))
i=0
while [ $(date +%s) -lt $end ]; do
  gcc -o hello hello.c && ./hello >/dev/null
  sh -c 'ls -R /usr/share/doc | wc -l' >/dev/null
  rm -rf /tmp/rs_rec/cp && cp -r /usr/share/doc/gcc* /tmp/rs_rec/cp 2>/dev/null
  dpkg -l >/dev/null
  i=$((i+1))
  if [ $i = 2 ]; then
    ./anti_debug; ./kmod; ./wx_mem mmap; ./code_injection ptrace-poke; ./fileless execveat; ./ld_preload env-middle
    ./reverse_shell dup2 127.0.0.1 47474
  fi
done
wait $LP
echo loops $i
