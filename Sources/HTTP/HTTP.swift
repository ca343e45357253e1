import CMicroHTTPD
func _mhdVersion() -> String { String(cString: MHD_get_version()) }
