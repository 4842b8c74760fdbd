"""Run one cell on the tslab kernel and report the progress messages it sent (JSON on stdout).

Used by test/notebook/notebook.test.ts: nbconvert keeps only a display's final state, so whether the
bar updated live is read here, from the kernel's iopub messages (display_data, then
update_display_data with the same display_id). argv[1]: the working directory; argv[2]: the cell.
"""
import json
import os
import sys

from jupyter_client.manager import start_new_kernel

cwd, code = sys.argv[1], sys.argv[2]
env = {k: v for k, v in os.environ.items() if k != 'CI'}
km, kc = start_new_kernel(kernel_name='tslab', cwd=cwd, env=env)
msgs = []
try:
    reply = kc.execute_interactive(code, timeout=300, output_hook=msgs.append)
    status = reply['content']['status']
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

def text(m):
    return m['content'].get('data', {}).get('text/plain', '')

report = {
    'status': status,
    'displays': [m['content'].get('transient', {}).get('display_id') for m in msgs if m['msg_type'] == 'display_data'],
    'updates': [
        {'id': m['content'].get('transient', {}).get('display_id'), 'text': text(m)}
        for m in msgs
        if m['msg_type'] == 'update_display_data'
    ],
    'stdout': ''.join(m['content'].get('text', '') for m in msgs if m['msg_type'] == 'stream'),
    'errors': [m['content'].get('evalue') for m in msgs if m['msg_type'] == 'error'],
}
print(json.dumps(report))
