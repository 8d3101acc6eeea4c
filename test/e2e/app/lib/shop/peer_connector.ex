defmodule Shop.PeerConnector do
  @moduledoc """
  Connects to the nodes listed in ECS_PEER_NODES (comma-separated, may be empty).

  Tasks of one service start at about the same time, so a peer may not be up yet:
  retry each missing peer every 500 ms for up to 60 s, then give up quietly.

  Also prints the whole cluster on every nodeup/nodedown, so the test sees when the mesh is
  complete on each node (peers that connected to this one included), not only its own list.
  """
  use GenServer

  @retry_ms 500
  @give_up_ms 60_000

  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @impl true
  def init(_) do
    peers = peers_from_env(System.get_env("ECS_PEER_NODES"))
    :ok = :net_kernel.monitor_nodes(true)
    IO.puts("shop: node #{node()} peers [#{Enum.join(peers, ",")}]")
    send(self(), :connect)
    {:ok, %{missing: peers, deadline: System.monotonic_time(:millisecond) + @give_up_ms}}
  end

  @impl true
  def handle_info({event, _node}, state) when event in [:nodeup, :nodedown] do
    IO.puts("shop: cluster now [#{Node.list() |> Enum.sort() |> Enum.join(",")}]")
    {:noreply, state}
  end

  def handle_info(:connect, %{missing: []} = state), do: {:noreply, state}

  def handle_info(:connect, state) do
    missing = Enum.reject(state.missing, &connect/1)

    cond do
      missing == [] -> IO.puts("shop: connected to all peers, cluster #{inspect(Node.list())}")
      System.monotonic_time(:millisecond) > state.deadline -> IO.puts("shop: gave up on #{inspect(missing)}")
      true -> Process.send_after(self(), :connect, @retry_ms)
    end

    {:noreply, %{state | missing: missing}}
  end

  defp connect(peer) do
    ok = Node.connect(peer) == true
    if ok, do: IO.puts("shop: connected to #{peer}")
    ok
  end

  defp peers_from_env(nil), do: []

  defp peers_from_env(value) do
    value
    |> String.split(",", trim: true)
    |> Enum.map(&String.trim/1)
    |> Enum.reject(&(&1 == ""))
    |> Enum.map(&String.to_atom/1)
  end
end
