# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_kurator_rollout_global_optspecs
    string join \n kubeconfig= context= all-contexts contexts-matching= n/namespace= A/all-namespaces o/output= no-headers color= request-timeout= cluster-timeout= y/yes protected= as= as-group= fleet= hub-context= fleet-namespace= cluster-selector= v/verbosity h/help V/version
end

function __fish_kubectl_kurator_rollout_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_kurator_rollout_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_kurator_rollout_using_subcommand
    set -l cmd (__fish_kubectl_kurator_rollout_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "clusters" -d 'List the target clusters and whether each is reachable'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "playground" -d 'Serve simulated clusters on 127.0.0.1 until interrupted (for trying the tool and for tests)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "install" -d 'Install Flagger (and a load tester) in every target cluster; safe to re-run'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "check" -d 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "verify" -d 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "uninstall" -d 'Remove what `install` created (objects labelled app.kubernetes.io/managed-by=kubectl-kurator-rollout)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "lint" -d 'Check rollout policies (Kurator Application rollouts or bare rollout blocks) without a cluster'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "render" -d 'Print the Flagger objects a rollout policy becomes in each cluster, as YAML'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "apply" -d 'Render rollout policies and server-side apply them to every target cluster'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "start" -d 'Trigger a new release of a canary in every target cluster (new image or restart)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "status" -d 'Show every target cluster\'s canaries; --watch follows them live (exit codes for CI)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "list" -d 'List every canary across the target clusters'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "get" -d 'One canary in depth in every target cluster: progress, analysis, gates and Flagger\'s events'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "dashboard" -d 'Serve the fleet\'s canaries as a live web page on 127.0.0.1, with the actions of the verbs'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "demo" -d 'Run a whole rollout on a built-in simulated fleet: 3 clusters, one failing by design'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "promote" -d 'Promote a canary held at a gate (or at once with --full), per cluster or fleet-wide'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "abort" -d 'Roll a running canary back through its rollback gate'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "pause" -d 'Pause a canary (spec.suspend=true): Flagger freezes it where it is'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "resume" -d 'Resume a paused canary (spec.suspend=false)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "retry" -d 'Run a Failed canary again (closes its rollback gate, restarts the release)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "__man" -d 'The man page (roff), generated from these definitions'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "__complete" -d 'Completion candidates for the words given (cobra\'s protocol, used by kubectl\'s completion)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "version" -d 'Print the plugin version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand clusters" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l clusters -d 'Number of simulated clusters' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l kubeconfig-out -d 'Where to write the kubeconfig (default: a file in a new temporary directory); an existing file is refused unless --force. Written with mode 0600 (it holds tokens)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l latency -d 'Latency added to every API request (e.g. 50ms)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l unreachable -d 'Make a cluster refuse connections (repeatable), e.g. kurator-member2' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l provider -d 'Traffic provider Flagger is installed for' -r -f -a "istio\t''
nginx\t''
kuma\t''
gatewayapi\t''
linkerd\t''
contour\t''
kubernetes\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l speed -d 'Simulated time runs this many times faster (an analysis interval of 30s takes 1s at 30)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l user -d 'Also a token user NAME in every cluster (repeatable), with a context NAME@CLUSTER; with =CLUSTERROLE bound to that ClusterRole cluster-wide, else only with what every authenticated user may do. Grant more with kubectl (create rolebinding …) as admin' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l force -d 'With --kubeconfig-out: replace the file if it exists (its mode becomes 0600)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l no-flagger -d 'Leave the clusters bare (no Flagger, no load tester), e.g. to try `install`'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l no-testloader -d 'Install Flagger without the public load tester'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l kurator -d 'Also serve a Kurator hub (context kurator-host) with a Fleet `quickstart` of the members, whose kubeconfigs live only in hub Secrets; the kubeconfig written names the hub alone'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand playground" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l provider -d 'Traffic provider: decides the namespace and Flagger\'s -mesh-provider' -r -f -a "istio\t''
nginx\t''
kuma\t''
gatewayapi\t''
linkerd\t''
contour\t''
kubernetes\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l metrics-server -d 'Prometheus URL for Flagger\'s builtin metrics (default per provider)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l flagger-version -d 'Flagger version (image tag)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l cluster-name -d 'Name a cluster differently from its context in object names: CONTEXT=NAME (repeatable)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l timeout -d 'How long to wait for Flagger to become Available in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l testloader -d 'Also install the public load tester (needed for gates, promote and abort)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l dry-run -d 'Print the manifests for each cluster as YAML and change nothing; exits as the install would (a cluster running another Flagger, or not answering, fails)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l force-conflicts -d 'Take over fields another field manager owns instead of reporting them as conflicts (kubectl\'s --force-conflicts)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand install" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l testloader -d 'Also require a load tester'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l testloader -d 'Also require a load tester'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand verify" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l force -d 'Uninstall even where Canaries still exist (they stop being reconciled)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l crds -d 'Also delete the Flagger CRDs, and with them every Canary, MetricTemplate and AlertProvider'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l dry-run -d 'Show what would be removed (under --fleet: the Fleet plugin change) and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand uninstall" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s f -l filename -d 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l policy-name -d 'Policy name of a bare rollout block (default: the workload name)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand lint" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s f -l filename -d 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l policy-name -d 'Policy name of a bare rollout block (default: the workload name)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l abort-gate -d 'The rollback hook that `abort` uses (on for a new policy); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l manual-promotion -d 'Hold each run before promotion until `promote` (a confirm-promotion gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l manual-start -d 'Hold each new revision before its analysis starts (a confirm-rollout gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l manual-steps -d 'Hold each traffic step until approved (a confirm-traffic-increase gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l cluster-name -d 'A cluster to render for (repeatable); with targets, CONTEXT=NAME renames a context\'s cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand render" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s f -l filename -d 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l policy-name -d 'Policy name of a bare rollout block (default: the workload name)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l abort-gate -d 'The rollback hook that `abort` uses (on for a new policy); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l manual-promotion -d 'Hold each run before promotion until `promote` (a confirm-promotion gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l manual-start -d 'Hold each new revision before its analysis starts (a confirm-rollout gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l manual-steps -d 'Hold each traffic step until approved (a confirm-traffic-increase gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l cluster-name -d 'Name a cluster differently from its context (load tester names): CONTEXT=NAME, repeatable' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l dry-run -d 'Show what would change and change nothing: in each cluster a diff against the live objects; under --fleet each Application\'s server-side dry-run result; and what it does to runs under way'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l force-conflicts -d 'Take over fields another field manager owns (kubectl edit, Kurator, Flux…) instead of reporting them as conflicts (kubectl\'s --force-conflicts)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand apply" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s f -l filename -d 'Apply these rollout policies first, as `apply` does' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l image -d 'Set a container\'s image: CONTAINER=IMAGE (repeatable; `*` for every container, init containers too)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l cluster-name -d 'Name a cluster differently from its context (load tester names): CONTEXT=NAME, repeatable' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l wave-size -d 'Start the clusters in waves of N or P% (in the order given), each after the previous Succeeded' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l order -d 'The order clusters start in, as contexts (comma-separated; unlisted ones follow in target order)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l on-failure -d 'When a wave fails: stop (later waves are not started), continue, or abort-all (roll back running ones)' -r -f -a "stop\t''
continue\t''
abort-all\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l timeout -d 'Give up following after this long (exit 3)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l abort-gate -d 'The rollback hook that `abort` uses (on for a new policy); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l manual-promotion -d 'Hold each run before promotion until `promote` (a confirm-promotion gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l manual-start -d 'Hold each new revision before its analysis starts (a confirm-rollout gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l manual-steps -d 'Hold each traffic step until approved (a confirm-traffic-increase gate); =false drops it' -r -f -a "true\t''
false\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l restart -d 'Start a new run of the same spec (a pod-template annotation with the time)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l force -d 'Start even where a run is under way (its analysis restarts)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l force-conflicts -d 'With -f: take over fields another field manager owns instead of reporting them as conflicts (kubectl\'s --force-conflicts)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s w -l watch -d 'Follow the release with the live view until it ends'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l dry-run -d 'Print the plan (-f as a server-side dry run where policies go, the waves, each cluster\'s Deployment change as a server-side dry run) and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand start" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s l -l selector -d 'Label selector for the Canaries' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l timeout -d 'Give up after this long (exit 3)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l require -d 'Which clusters must succeed: all, any, or a number' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l until -d 'Also end successfully on these phases (comma-separated), e.g. WaitingPromotion' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s w -l watch -d 'Follow until every required canary ends'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l wait-for-start -d 'Ignore the previous run\'s outcome: wait for a new run to start first'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand status" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s l -l selector -d 'Label selector for the Canaries' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s w -l watch -d 'Keep listing: a line for every change'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand list" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand get" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s l -l selector -d 'Label selector for the Canaries' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l address -d 'The address to listen on. Anything but a loopback address exposes the page, and its actions to whoever has the URL, to the network over plain HTTP' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l port -d 'The port to listen on (0: any free port, printed in the URL)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l read-only -d 'Show the fleet only: no action buttons, and no action endpoint is served'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l open -d 'Open the URL in the default browser (xdg-open, open, or start)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand dashboard" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l speed -d 'Simulated time runs this many times faster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l clusters -d 'Number of simulated clusters' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l keep -d 'Keep serving the playground after the rollout, until Ctrl-C'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l dashboard -d 'Also serve the rollout as a live web page (the `dashboard` verb\'s, on 127.0.0.1, any free port); its URL is printed on stderr'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand demo" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s l -l selector -d 'Act on every Canary matching this label selector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l timeout -d 'How long to wait for Flagger to act in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l full -d 'Promote now, skipping the rest of the analysis (spec.skipAnalysis until Succeeded)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l keep-skip -d 'With --full: leave spec.skipAnalysis=true afterwards'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l wait -d 'A run not yet held at a gate: wait (up to --timeout) until its promotion gate holds it, then promote (without it such a canary\'s row fails)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand promote" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s l -l selector -d 'Act on every Canary matching this label selector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l timeout -d 'How long to wait for Flagger to act in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand abort" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s l -l selector -d 'Act on every Canary matching this label selector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l timeout -d 'How long to wait for Flagger to act in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand pause" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s l -l selector -d 'Act on every Canary matching this label selector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l timeout -d 'How long to wait for Flagger to act in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand resume" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s l -l selector -d 'Act on every Canary matching this label selector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l timeout -d 'How long to wait for Flagger to act in each cluster' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand retry" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __man" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand __complete" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l kubeconfig -d 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l context -d 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l contexts-matching -d 'Target the contexts whose name matches a glob (e.g. \'prod-*\')' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s n -l namespace -d 'Namespace (default: each context\'s namespace, else "default")' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s o -l output -d 'Output format: table, wide, json, yaml, ndjson (one object per line: the streaming format of --watch), name, jsonpath=TEMPLATE, custom-columns=HEADER:.path,…' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
ndjson\t''
name\t''
jsonpath=\t''
custom-columns=\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l color -d 'When to use colour (NO_COLOR is honoured with auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l request-timeout -d 'How long one request to a cluster may take, answer included, as kubectl\'s flag (e.g. 5s); a watch only until its answer starts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l cluster-timeout -d 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l protected -d 'Contexts where every change needs the typed count, even one canary in one cluster (verbs and the live view\'s keys)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l as -d 'Act as this user (impersonation, as kubectl --as): needs the `impersonate` permission' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l as-group -d 'Act as this group too (repeatable, as kubectl --as-group); needs --as' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l fleet -d 'Target the members of this Kurator Fleet (read from the hub cluster) instead of contexts' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l hub-context -d 'The hub cluster\'s context (default: the current context)' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l fleet-namespace -d 'The Fleet\'s namespace on the hub' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l cluster-selector -d 'Only members whose cluster object has these labels (key=value, repeatable), as Kurator\'s clusterSelector' -r
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l short -d 'Print only the version number'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l server -d 'Also each target cluster\'s Kubernetes and Flagger versions'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l all-contexts -d 'Target every context in the kubeconfig'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s A -l all-namespaces -d 'All namespaces'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -l no-headers -d 'Print tables without their header line (as kubectl --no-headers)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s y -l yes -d 'Answer yes to confirmations'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s v -l verbosity -d 'More output on stderr: -v requests, -vv request details (tokens are never printed)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s h -l help -d 'Print help'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand version" -s V -l version -d 'Print version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "clusters" -d 'List the target clusters and whether each is reachable'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "playground" -d 'Serve simulated clusters on 127.0.0.1 until interrupted (for trying the tool and for tests)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "install" -d 'Install Flagger (and a load tester) in every target cluster; safe to re-run'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "check" -d 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "uninstall" -d 'Remove what `install` created (objects labelled app.kubernetes.io/managed-by=kubectl-kurator-rollout)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "lint" -d 'Check rollout policies (Kurator Application rollouts or bare rollout blocks) without a cluster'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "render" -d 'Print the Flagger objects a rollout policy becomes in each cluster, as YAML'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "apply" -d 'Render rollout policies and server-side apply them to every target cluster'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "start" -d 'Trigger a new release of a canary in every target cluster (new image or restart)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "status" -d 'Show every target cluster\'s canaries; --watch follows them live (exit codes for CI)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "list" -d 'List every canary across the target clusters'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "get" -d 'One canary in depth in every target cluster: progress, analysis, gates and Flagger\'s events'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "dashboard" -d 'Serve the fleet\'s canaries as a live web page on 127.0.0.1, with the actions of the verbs'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "demo" -d 'Run a whole rollout on a built-in simulated fleet: 3 clusters, one failing by design'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "promote" -d 'Promote a canary held at a gate (or at once with --full), per cluster or fleet-wide'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "abort" -d 'Roll a running canary back through its rollback gate'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "pause" -d 'Pause a canary (spec.suspend=true): Flagger freezes it where it is'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "resume" -d 'Resume a paused canary (spec.suspend=false)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "retry" -d 'Run a Failed canary again (closes its rollback gate, restarts the release)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "__man" -d 'The man page (roff), generated from these definitions'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "__complete" -d 'Completion candidates for the words given (cobra\'s protocol, used by kubectl\'s completion)'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "version" -d 'Print the plugin version'
complete -c kubectl-kurator_rollout -n "__fish_kubectl_kurator_rollout_using_subcommand help; and not __fish_seen_subcommand_from clusters playground install check uninstall lint render apply start status list get dashboard demo promote abort pause resume retry completion __man __complete version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
