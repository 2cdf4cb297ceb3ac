
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-kurator_rollout' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-kurator_rollout'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-kurator_rollout' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('clusters', 'clusters', [CompletionResultType]::ParameterValue, 'List the target clusters and whether each is reachable')
            [CompletionResult]::new('playground', 'playground', [CompletionResultType]::ParameterValue, 'Serve simulated clusters on 127.0.0.1 until interrupted (for trying the tool and for tests)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install Flagger (and a load tester) in every target cluster; safe to re-run')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove what `install` created (objects labelled app.kubernetes.io/managed-by=kubectl-kurator-rollout)')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check rollout policies (Kurator Application rollouts or bare rollout blocks) without a cluster')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Flagger objects a rollout policy becomes in each cluster, as YAML')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Render rollout policies and server-side apply them to every target cluster')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Trigger a new release of a canary in every target cluster (new image or restart)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every target cluster''s canaries; --watch follows them live (exit codes for CI)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every canary across the target clusters')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'One canary in depth in every target cluster: progress, analysis, gates and Flagger''s events')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run a whole rollout on a built-in simulated fleet: 3 clusters, one failing by design')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Promote a canary held at a gate (or at once with --full), per cluster or fleet-wide')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Roll a running canary back through its rollback gate')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a canary (spec.suspend=true): Flagger freezes it where it is')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a paused canary (spec.suspend=false)')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run a Failed canary again (closes its rollback gate, restarts the release)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('__man', '__man', [CompletionResultType]::ParameterValue, 'The man page (roff), generated from these definitions')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates for the words given (cobra''s protocol, used by kubectl''s completion)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-kurator_rollout;clusters' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;playground' {
            [CompletionResult]::new('--clusters', '--clusters', [CompletionResultType]::ParameterName, 'Number of simulated clusters')
            [CompletionResult]::new('--kubeconfig-out', '--kubeconfig-out', [CompletionResultType]::ParameterName, 'Where to write the kubeconfig (default: a file in a new temporary directory)')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Latency added to every API request (e.g. 50ms)')
            [CompletionResult]::new('--unreachable', '--unreachable', [CompletionResultType]::ParameterName, 'Make a cluster refuse connections (repeatable), e.g. kurator-member2')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Traffic provider Flagger is installed for')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Simulated time runs this many times faster (an analysis interval of 30s takes 1s at 30)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--no-flagger', '--no-flagger', [CompletionResultType]::ParameterName, 'Leave the clusters bare (no Flagger, no load tester), e.g. to try `install`')
            [CompletionResult]::new('--no-testloader', '--no-testloader', [CompletionResultType]::ParameterName, 'Install Flagger without the public load tester')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;install' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Traffic provider: decides the namespace and Flagger''s -mesh-provider')
            [CompletionResult]::new('--metrics-server', '--metrics-server', [CompletionResultType]::ParameterName, 'Prometheus URL for Flagger''s builtin metrics (default per provider)')
            [CompletionResult]::new('--flagger-version', '--flagger-version', [CompletionResultType]::ParameterName, 'Flagger version (image tag)')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'Name a cluster differently from its context in object names: CONTEXT=NAME (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to become Available in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--testloader', '--testloader', [CompletionResultType]::ParameterName, 'Also install the public load tester (needed for gates, promote and abort)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the manifests for each cluster as YAML and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;check' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--testloader', '--testloader', [CompletionResultType]::ParameterName, 'Also require a load tester')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;verify' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--testloader', '--testloader', [CompletionResultType]::ParameterName, 'Also require a load tester')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;uninstall' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Uninstall even where Canaries still exist (they stop being reconciled)')
            [CompletionResult]::new('--crds', '--crds', [CompletionResultType]::ParameterName, 'Also delete the Flagger CRDs, and with them every Canary, MetricTemplate and AlertProvider')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;lint' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--policy-name', '--policy-name', [CompletionResultType]::ParameterName, 'Policy name of a bare rollout block (default: the workload name)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;render' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--policy-name', '--policy-name', [CompletionResultType]::ParameterName, 'Policy name of a bare rollout block (default: the workload name)')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'A cluster to render for (repeatable); with targets, CONTEXT=NAME renames a context''s cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--no-abort-gate', '--no-abort-gate', [CompletionResultType]::ParameterName, 'Do not add the rollback hook that `abort` uses')
            [CompletionResult]::new('--manual-promotion', '--manual-promotion', [CompletionResultType]::ParameterName, 'Hold each run before promotion until `promote` (a confirm-promotion gate)')
            [CompletionResult]::new('--manual-start', '--manual-start', [CompletionResultType]::ParameterName, 'Hold each new revision before its analysis starts (a confirm-rollout gate)')
            [CompletionResult]::new('--manual-steps', '--manual-steps', [CompletionResultType]::ParameterName, 'Hold each traffic step until approved (a confirm-traffic-increase gate)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A file with one or more YAML/JSON documents (`-` for standard input); repeatable')
            [CompletionResult]::new('--policy-name', '--policy-name', [CompletionResultType]::ParameterName, 'Policy name of a bare rollout block (default: the workload name)')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'Name a cluster differently from its context (load tester names): CONTEXT=NAME, repeatable')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--no-abort-gate', '--no-abort-gate', [CompletionResultType]::ParameterName, 'Do not add the rollback hook that `abort` uses')
            [CompletionResult]::new('--manual-promotion', '--manual-promotion', [CompletionResultType]::ParameterName, 'Hold each run before promotion until `promote` (a confirm-promotion gate)')
            [CompletionResult]::new('--manual-start', '--manual-start', [CompletionResultType]::ParameterName, 'Hold each new revision before its analysis starts (a confirm-rollout gate)')
            [CompletionResult]::new('--manual-steps', '--manual-steps', [CompletionResultType]::ParameterName, 'Hold each traffic step until approved (a confirm-traffic-increase gate)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would change in each cluster (a diff against the live objects) and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;start' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Apply these rollout policies first, as `apply` does')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Apply these rollout policies first, as `apply` does')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Set a container''s image: CONTAINER=IMAGE (repeatable; `*` for every container, init containers too)')
            [CompletionResult]::new('--wave-size', '--wave-size', [CompletionResultType]::ParameterName, 'Start the clusters in waves of N or P% (in the order given), each after the previous Succeeded')
            [CompletionResult]::new('--on-failure', '--on-failure', [CompletionResultType]::ParameterName, 'When a wave fails: stop (later waves are not started), continue, or abort-all (roll back running ones)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up following after this long (exit 3)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Start a new run of the same spec (a pod-template annotation with the time)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Start even where a run is under way (its analysis restarts)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Follow the release with the live view until it ends')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Follow the release with the live view until it ends')
            [CompletionResult]::new('--no-abort-gate', '--no-abort-gate', [CompletionResultType]::ParameterName, 'Do not add the rollback hook that `abort` uses')
            [CompletionResult]::new('--manual-promotion', '--manual-promotion', [CompletionResultType]::ParameterName, 'Hold each run before promotion until `promote` (a confirm-promotion gate)')
            [CompletionResult]::new('--manual-start', '--manual-start', [CompletionResultType]::ParameterName, 'Hold each new revision before its analysis starts (a confirm-rollout gate)')
            [CompletionResult]::new('--manual-steps', '--manual-steps', [CompletionResultType]::ParameterName, 'Hold each traffic step until approved (a confirm-traffic-increase gate)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;status' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector for the Canaries')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector for the Canaries')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (exit 3)')
            [CompletionResult]::new('--require', '--require', [CompletionResultType]::ParameterName, 'Which clusters must succeed: all, any, or a number')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Also end successfully on these phases (comma-separated), e.g. WaitingPromotion')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Follow until every required canary ends')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Follow until every required canary ends')
            [CompletionResult]::new('--wait-for-start', '--wait-for-start', [CompletionResultType]::ParameterName, 'Ignore the previous run''s outcome: wait for a new run to start first')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;list' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector for the Canaries')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector for the Canaries')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Keep listing: a line for every change')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep listing: a line for every change')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;get' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;demo' {
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Simulated time runs this many times faster')
            [CompletionResult]::new('--clusters', '--clusters', [CompletionResultType]::ParameterName, 'Number of simulated clusters')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Keep serving the playground after the rollout, until Ctrl-C')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;promote' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--protected', '--protected', [CompletionResultType]::ParameterName, 'Contexts that always need the typed confirmation')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to act in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Promote now, skipping the rest of the analysis (spec.skipAnalysis until Succeeded)')
            [CompletionResult]::new('--keep-skip', '--keep-skip', [CompletionResultType]::ParameterName, 'With --full: leave spec.skipAnalysis=true afterwards')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;abort' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--protected', '--protected', [CompletionResultType]::ParameterName, 'Contexts that always need the typed confirmation')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to act in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;pause' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--protected', '--protected', [CompletionResultType]::ParameterName, 'Contexts that always need the typed confirmation')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to act in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;resume' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--protected', '--protected', [CompletionResultType]::ParameterName, 'Contexts that always need the typed confirmation')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to act in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;retry' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Act on every Canary matching this label selector')
            [CompletionResult]::new('--protected', '--protected', [CompletionResultType]::ParameterName, 'Contexts that always need the typed confirmation')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for Flagger to act in each cluster')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;__man' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;__complete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;version' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to one kubeconfig file (otherwise KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Target cluster context(s); repeatable, comma-separated lists allowed. Default: the current context')
            [CompletionResult]::new('--contexts-matching', '--contexts-matching', [CompletionResultType]::ParameterName, 'Target the contexts whose name matches a glob (e.g. ''prod-*'')')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: each context''s namespace, else "default")')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured with auto)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Timeout for establishing a connection to one cluster''s API server (e.g. 5s)')
            [CompletionResult]::new('--cluster-timeout', '--cluster-timeout', [CompletionResultType]::ParameterName, 'Time one cluster may take for one step before its row shows a timeout; the other clusters are never held up by it')
            [CompletionResult]::new('--short', '--short', [CompletionResultType]::ParameterName, 'Print only the version number')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Also each target cluster''s Kubernetes and Flagger versions')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Target every context in the kubeconfig')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'All namespaces')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('--verbosity', '--verbosity', [CompletionResultType]::ParameterName, 'More output on stderr: -v requests, -vv request details (tokens are never printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-kurator_rollout;help' {
            [CompletionResult]::new('clusters', 'clusters', [CompletionResultType]::ParameterValue, 'List the target clusters and whether each is reachable')
            [CompletionResult]::new('playground', 'playground', [CompletionResultType]::ParameterValue, 'Serve simulated clusters on 127.0.0.1 until interrupted (for trying the tool and for tests)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install Flagger (and a load tester) in every target cluster; safe to re-run')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that every target cluster is ready for rollouts (CRDs, Flagger, load tester, permissions)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove what `install` created (objects labelled app.kubernetes.io/managed-by=kubectl-kurator-rollout)')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check rollout policies (Kurator Application rollouts or bare rollout blocks) without a cluster')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Flagger objects a rollout policy becomes in each cluster, as YAML')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Render rollout policies and server-side apply them to every target cluster')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Trigger a new release of a canary in every target cluster (new image or restart)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every target cluster''s canaries; --watch follows them live (exit codes for CI)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every canary across the target clusters')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'One canary in depth in every target cluster: progress, analysis, gates and Flagger''s events')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run a whole rollout on a built-in simulated fleet: 3 clusters, one failing by design')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Promote a canary held at a gate (or at once with --full), per cluster or fleet-wide')
            [CompletionResult]::new('abort', 'abort', [CompletionResultType]::ParameterValue, 'Roll a running canary back through its rollback gate')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a canary (spec.suspend=true): Flagger freezes it where it is')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a paused canary (spec.suspend=false)')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Run a Failed canary again (closes its rollback gate, restarts the release)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('__man', '__man', [CompletionResultType]::ParameterValue, 'The man page (roff), generated from these definitions')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates for the words given (cobra''s protocol, used by kubectl''s completion)')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-kurator_rollout;help;clusters' {
            break
        }
        'kubectl-kurator_rollout;help;playground' {
            break
        }
        'kubectl-kurator_rollout;help;install' {
            break
        }
        'kubectl-kurator_rollout;help;check' {
            break
        }
        'kubectl-kurator_rollout;help;uninstall' {
            break
        }
        'kubectl-kurator_rollout;help;lint' {
            break
        }
        'kubectl-kurator_rollout;help;render' {
            break
        }
        'kubectl-kurator_rollout;help;apply' {
            break
        }
        'kubectl-kurator_rollout;help;start' {
            break
        }
        'kubectl-kurator_rollout;help;status' {
            break
        }
        'kubectl-kurator_rollout;help;list' {
            break
        }
        'kubectl-kurator_rollout;help;get' {
            break
        }
        'kubectl-kurator_rollout;help;demo' {
            break
        }
        'kubectl-kurator_rollout;help;promote' {
            break
        }
        'kubectl-kurator_rollout;help;abort' {
            break
        }
        'kubectl-kurator_rollout;help;pause' {
            break
        }
        'kubectl-kurator_rollout;help;resume' {
            break
        }
        'kubectl-kurator_rollout;help;retry' {
            break
        }
        'kubectl-kurator_rollout;help;completion' {
            break
        }
        'kubectl-kurator_rollout;help;__man' {
            break
        }
        'kubectl-kurator_rollout;help;__complete' {
            break
        }
        'kubectl-kurator_rollout;help;version' {
            break
        }
        'kubectl-kurator_rollout;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
