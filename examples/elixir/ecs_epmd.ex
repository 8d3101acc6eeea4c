defmodule EcsEpmd do
  @moduledoc """
  Distribution without EPMD for ECS bridge mode with dynamic host ports.

  Each node's name carries the port it is published on, `<basename>-<port>@<instance ip>`, such
  as `shop-32768@10.0.1.43`: the digits after the last "-" of the name. To reach a peer this
  module answers that port and the address from the name alone; it asks no epmd and contacts no
  one. The node itself listens on the port the kernel parameters pin (the container port), and
  registers nowhere.

  `/app/bin/entrypoint` names the node and starts it with

      -start_epmd false -epmd_module Elixir.EcsEpmd -kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100

  The module must be in the release (copy this file into `lib/`); distribution loads it when it
  starts. Works with OTP 23 and later.
  """

  # Distribution protocol version 6: OTP 23 and later speak it.
  @version 6

  @doc "Nothing to run: there is no epmd connection to keep."
  def start_link, do: :ignore

  @doc "No registration: peers learn the port from this node's name. Creation -1: the VM picks one."
  def register_node(name, port), do: register_node(name, port, :inet_tcp)
  def register_node(_name, _port, _driver), do: {:ok, -1}

  @doc "0: listen on the `inet_dist_listen_min`..`inet_dist_listen_max` range."
  def listen_port_please(_name, _host), do: {:ok, 0}

  @doc "The port carried in the node name, `{:port, port, version}`, or `:noport`."
  def port_please(name, host), do: port_please(name, host, :infinity)

  def port_please(name, _host, _timeout) do
    case port_of(name) do
      nil -> :noport
      port -> {:port, port, @version}
    end
  end

  @doc "The host's address and the port from the name, so that no lookup follows."
  def address_please(name, host, family) do
    with port when port != nil <- port_of(name),
         {:ok, ip} <- :inet.getaddr(host, family) do
      {:ok, ip, port, @version}
    else
      nil -> {:error, :no_port_in_node_name}
      error -> error
    end
  end

  @doc "No epmd to ask."
  def names(_host), do: {:error, :address}

  defp port_of(name) do
    with [_, digits] <- Regex.run(~r/-([1-9][0-9]{0,4})\z/, to_string(name)),
         port when port <= 65_535 <- String.to_integer(digits) do
      port
    else
      _ -> nil
    end
  end
end
