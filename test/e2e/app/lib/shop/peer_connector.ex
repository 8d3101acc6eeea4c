defmodule Shop.PeerConnector do
  @moduledoc """
  The one-shot connector the e2e test compares EcsPeers with (SHOP_CONNECTOR=oneshot): connects
  to ECS_PEER_NODES, retrying each missing peer every 500 ms for up to 60 s, then stops trying.
  It never reconnects a node that left, so a partition longer than net_ticktime splits for good.
  """
  use GenServer

  @retry_ms 500
  @give_up_ms 60_000

  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @impl true
  def init(_) do
    peers = System.get_env("ECS_PEER_NODES", "") |> String.split(",", trim: true) |> Enum.map(&String.to_atom/1)
    send(self(), :connect)
    {:ok, %{missing: peers, deadline: System.monotonic_time(:millisecond) + @give_up_ms}}
  end

  @impl true
  def handle_info(:connect, %{missing: []} = state), do: {:noreply, state}

  def handle_info(:connect, state) do
    missing = Enum.reject(state.missing, &(Node.connect(&1) == true))

    cond do
      missing == [] -> IO.puts("shop: connected to all peers")
      System.monotonic_time(:millisecond) > state.deadline -> IO.puts("shop: gave up on #{inspect(missing)}")
      true -> Process.send_after(self(), :connect, @retry_ms)
    end

    {:noreply, %{state | missing: missing}}
  end
end
