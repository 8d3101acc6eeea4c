defmodule EcsPeers do
  @moduledoc """
  Keeps a release on AWS ECS connected to its peers after boot, with no AWS call in the steady state.

  Add `{EcsPeers, []}` to the application's children. It takes `ECS_PEER_NODES` (the tasks that
  were running when this one booted, set by `/app/bin/entrypoint`) once, remembers every node that
  connects, and every `:interval` ms connects again, in parallel, to the known nodes that are not
  connected; each attempt asks the node's epmd first, for up to `:connect_timeout` ms, so that none
  waits on a setup started during a partition. A node unreachable for `:forget_after` ms (a stopped
  task) is dropped. Only when the boot lookup failed (`ECS_PEER_LOOKUP=failed`) or the node has
  been alone for about `:alone_after` ms, it runs `bin/entrypoint peers` again: first after about
  `:lookup_every` ms (failed) or `:alone_after` ms (alone), then twice as long after each lookup
  that fails or leaves it alone, up to `:lookup_max`; each wait jittered (x0.5 to x1.5), one lookup
  at a time, killed after `:lookup_timeout` ms or 1 MiB of output. Of its names at most 1,000 are
  taken, and entries that are not node names are skipped.

  Options (milliseconds): `:interval` 1_000, `:connect_timeout` 2_000, `:forget_after` 300_000,
  `:alone_after` 300_000, `:lookup_every` 60_000, `:lookup_max` 1_800_000, `:lookup_timeout`
  90_000; `:entrypoint` (default `$RELEASE_ROOT/bin/entrypoint`; without it, as in an init-container
  setup, no lookup after boot), `:name` (default `EcsPeers`).
  """
  use GenServer
  require Logger

  @defaults [interval: 1_000, connect_timeout: 2_000, forget_after: 300_000, alone_after: 300_000,
             lookup_every: 60_000, lookup_max: 1_800_000, lookup_timeout: 90_000]
  @max_output 1_048_576
  @max_names 1_000
  @node_name ~r/\A[A-Za-z0-9_-]+@[A-Za-z0-9.:-]+\z/

  def start_link(opts \\ []), do: GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))

  @impl true
  def init(opts) do
    opts = Map.new(Keyword.validate!(opts, @defaults ++ [:name, entrypoint: default_entrypoint()]))

    if node() == :nonode@nohost do
      Logger.info("EcsPeers: this node is not distributed (set RELEASE_DISTRIBUTION and RELEASE_NODE, e.g. with bin/entrypoint); nothing to do")
      :ignore
    else
      :ok = :net_kernel.monitor_nodes(true)
      # So that the release's shutdown runs terminate/2, which ends a running lookup.
      Process.flag(:trap_exit, true)
      t = now()
      known = Map.new(names(System.get_env("ECS_PEER_NODES", ""), "ECS_PEER_NODES"), &{&1, t})
      # nil: the boot did no lookup (peers off), or there is no bin/entrypoint to ask; no lookup after boot.
      lookup = System.get_env("ECS_PEER_LOOKUP")
      if lookup && not File.regular?(opts.entrypoint), do: Logger.info("EcsPeers: no #{opts.entrypoint} in this image (the entrypoint ran in an init container?), so no peer lookup after boot; it keeps reconnecting the nodes it knows. If the entrypoint is elsewhere, pass entrypoint: PATH")
      lookup = if File.regular?(opts.entrypoint), do: lookup
      first = if lookup == "failed", do: opts.lookup_every, else: opts.alone_after
      state = %{opts: opts, known: known, jobs: %{}, alone: true, lookup: lookup, delay: first, due: t + jitter(first), port: nil, out: [], size: 0, failing: nil}
      {:ok, state, {:continue, :tick}}
    end
  end

  @impl true
  def handle_continue(:tick, state), do: {:noreply, tick(state)}

  @impl true
  def handle_info(:tick, state), do: {:noreply, tick(state)}

  def handle_info({:nodeup, node}, state) do
    Logger.info("EcsPeers: #{inspect(node)} joined (#{length(Node.list())} connected)")
    {:noreply, %{state | known: Map.put(state.known, node, now())}}
  end

  def handle_info({:nodedown, node}, state) do
    Logger.warning("EcsPeers: #{inspect(node)} left; reconnecting for up to #{div(state.opts.forget_after, 1000)} s")
    {:noreply, %{state | known: Map.put(state.known, node, now())}}
  end

  def handle_info({port, {:data, data}}, %{port: port, size: size} = state) when size + byte_size(data) > @max_output,
    do: {:noreply, lookup_done(stop_port(state), {:error, "printed more than #{@max_output} bytes"})}

  def handle_info({port, {:data, data}}, %{port: port} = state), do: {:noreply, %{state | out: [state.out | data], size: state.size + byte_size(data)}}

  def handle_info({port, {:exit_status, status}}, %{port: port} = state) do
    out = IO.iodata_to_binary(state.out)
    last = out |> String.split("\n", trim: true) |> List.last("")
    result = if status == 0, do: {:ok, names(out, "bin/entrypoint peers")}, else: {:error, "exit #{status}: #{clip(last)}"}
    {:noreply, lookup_done(%{state | port: nil}, result)}
  end

  def handle_info({:overdue, port}, %{port: port} = state),
    do: {:noreply, lookup_done(stop_port(state), {:error, "no answer within #{div(state.opts.lookup_timeout, 1000)} s"})}

  def handle_info({:DOWN, _ref, :process, pid, _reason}, state), do: {:noreply, %{state | jobs: Map.delete(state.jobs, pid)}}
  def handle_info(_other, state), do: {:noreply, state}

  @impl true
  def terminate(_reason, state), do: state.port && stop_port(state)

  defp tick(%{opts: opts} = state) do
    t = now()
    connected = Node.list()
    seen = Enum.reduce(connected, state.known, &Map.put(&2, &1, t))
    {kept, gone} = Enum.split_with(seen, fn {_node, at} -> t - at < opts.forget_after end)
    for {node, _} <- gone, do: Logger.info("EcsPeers: forgot #{inspect(node)}: unreachable for #{div(opts.forget_after, 1000)} s")
    state = %{state | known: Map.new(kept)} |> alone(connected, t) |> connect(connected) |> maybe_lookup(t)
    Process.send_after(self(), :tick, opts.interval)
    state
  end

  # Alone again: a lookup after about :alone_after. Connected again: the lookups' backoff starts over.
  defp alone(%{alone: false, opts: opts} = state, [], t),
    do: %{state | alone: true, delay: max(state.delay, opts.alone_after), due: max(state.due, t + jitter(opts.alone_after))}

  defp alone(%{alone: true} = state, [_ | _], _t), do: %{state | alone: false, delay: state.opts.lookup_every}
  defp alone(state, _connected, _t), do: state

  # Each attempt runs in its own process, so one silent peer delays neither the others nor us.
  defp connect(state, connected) do
    todo = Map.keys(state.known) -- [node() | connected ++ Map.values(state.jobs)]

    jobs =
      for node <- todo, into: state.jobs do
        {pid, _ref} = spawn_monitor(fn -> reach(node, state.opts.connect_timeout) end)
        {pid, node}
      end

    %{state | jobs: jobs}
  end

  # OTP keeps a setup towards a silent address pending for net_setuptime (7 s), and every
  # Node.connect meanwhile waits on it. Asking the peer's epmd first, within :connect_timeout,
  # starts no setup until the peer answers: the first round after a partition gets through.
  defp reach(node, timeout) do
    [name, host] = :string.split(Atom.to_charlist(node), ~c"@")
    host = with {:ok, ip} <- :inet.parse_address(host), do: ip, else: (_ -> host)
    epmd = :net_kernel.epmd_module()

    if not function_exported?(epmd, :port_please, 3) or match?({:port, _, _}, epmd.port_please(name, host, timeout)),
      do: Node.connect(node)
  end

  defp maybe_lookup(state, t) do
    if state.lookup != nil and state.port == nil and t >= state.due and (state.lookup == "failed" or state.alone),
      do: lookup(state),
      else: state
  end

  # A port, not System.cmd: we hold the OS process, so an overdue or endless lookup can be killed.
  defp lookup(%{opts: opts} = state) do
    env = [{~c"ENTRYPOINT_QUIET", ~c"1"}, {~c"ENTRYPOINT_LOG_FORMAT", ~c"text"}]
    port = Port.open({:spawn_executable, opts.entrypoint}, [:binary, :exit_status, :stderr_to_stdout, args: ["peers", "--format", "lines"], env: env])
    Process.send_after(self(), {:overdue, port}, opts.lookup_timeout)
    %{state | port: port}
  rescue
    e -> lookup_done(state, {:error, Exception.message(e)})
  end

  # Closing the port stops the output; only the kill ends the process (one waiting out throttling, say).
  defp stop_port(%{port: port} = state) do
    os_pid = Port.info(port, :os_pid)
    send(port, {self(), :close})
    with {:os_pid, pid} <- os_pid, do: :os.cmd(~c"kill -KILL #{pid}")
    %{state | port: nil}
  end

  defp lookup_done(state, {:ok, nodes}) do
    state = backoff(state)
    new = Enum.reject(nodes, &(&1 == node() or Map.has_key?(state.known, &1)))
    again = if state.failing, do: "works again: "
    if again || new != [], do: Logger.info("EcsPeers: bin/entrypoint peers #{again}listed #{length(nodes)} node(s), #{length(new)} new")
    %{state | lookup: "ok", failing: nil, known: Enum.reduce(new, state.known, &Map.put(&2, &1, now()))}
  end

  # A warning for a new failure, one line when it repeats, then silence until it changes or works.
  defp lookup_done(state, {:error, why}) do
    state = backoff(state)
    next = "next try in about #{div(state.delay, 1000)} s"
    n = with {^why, n} <- state.failing, do: n, else: (_ -> 0)
    if n == 0, do: Logger.warning("EcsPeers: bin/entrypoint peers failed (#{why}); #{next}. `bin/entrypoint doctor` in the task says what blocks the lookup")
    if n == 1, do: Logger.info("EcsPeers: bin/entrypoint peers still failing the same way; #{next}, then ever less often (up to every #{div(state.opts.lookup_max, 60_000)} min); silent until that changes")
    %{state | failing: {why, n + 1}}
  end

  # Every lookup that fails or leaves the node alone doubles the wait before the next one.
  defp backoff(state) do
    delay = min(state.delay * 2, state.opts.lookup_max)
    %{state | delay: delay, due: now() + jitter(delay), out: [], size: 0}
  end

  # Lookup output and ECS_PEER_NODES are checked before any atom is made: atoms are never freed.
  defp names(text, from) do
    lines = for line <- String.split(text, "\n"), not String.starts_with?(line, "entrypoint:"), do: line
    words = Enum.flat_map(lines, &:binary.split(&1, [",", " ", "\r", "\t"], [:global, :trim_all]))
    {good, bad} = Enum.split_with(Enum.uniq(words), &(byte_size(&1) <= 255 and &1 =~ @node_name))
    {good, over} = Enum.split(good, @max_names)

    with [first | _] = skipped <- bad ++ over do
      Logger.warning("EcsPeers: skipped #{length(skipped)} entries of #{from} that are not basename@host (at most 255 bytes) or come after #{@max_names} names, e.g. #{clip(first)}")
    end

    Enum.map(good, &String.to_atom/1)
  end

  defp clip(text), do: inspect(String.slice(text, 0, 200))
  defp jitter(ms), do: div(ms, 2) + :rand.uniform(max(ms, 1))
  defp default_entrypoint, do: Path.join([System.get_env("RELEASE_ROOT", "/app"), "bin", "entrypoint"])
  defp now, do: System.monotonic_time(:millisecond)
end
